{% include "verilog/header.txt" %}
// One AER bus shared by the {{ b.nchips }} chips, time-multiplexed by chip selects, so that the pins do
// not grow with the chips. The chips drive aer_req/aer_addr and aer_syn_ack only while selected
// for them, and see aer_ack and aer_syn_req only while selected.
// Chip -> FPGA: aer_sel names the chip that may drive the event lines. Each new selection is
// held SELECT_HOLD cycles (one for the select to reach the chip and its request to come back,
// two while aer_req's synchronizer flops fill with that chip's request); then
// a chip that requests has its address taken (bundled data: stable since req rose), one bit of
// `events` pulses for one cycle and aer_ack rises; after req falls, ack falls and the next chip
// is selected (round robin). A chip without a request is passed over; one whose request comes
// after its turn keeps it up until it is selected again.
// FPGA -> chip: one synapse event at a time, through {{ v.prefix }}_syn_sender on aer_syn_req,
// aer_syn_addr and aer_syn_ack, with aer_syn_sel naming the chip it is for; every chip's
// syn_ready is the sender's.
`default_nettype none
module {{ v.prefix }}_aer_bus #(
    parameter integer NCHIPS = {{ b.nchips }},
    parameter integer SOURCES = {{ b.events }},
    parameter integer CHIP_W = {{ b.chip_w }},
    parameter integer SRC_W = {{ v.chip_if.src_w }},
    parameter integer SYN_W = {{ v.chip_if.syn_w }}
) (
    input  wire              clk,
    input  wire              rst,
    input  wire              aer_req,
    input  wire [SRC_W-1:0]  aer_addr,
    output reg               aer_ack,
    output reg  [CHIP_W-1:0] aer_sel,
    output reg  [SOURCES-1:0] events,
    input  wire [NCHIPS-1:0] syn_valid,
    input  wire [SYN_W-1:0]  syn_addr,
    output wire [NCHIPS-1:0] syn_ready,
    output wire              aer_syn_req,
    output wire [SYN_W-1:0]  aer_syn_addr,
    output reg  [CHIP_W-1:0] aer_syn_sel,
    input  wire              aer_syn_ack
);
    localparam [1:0] SELECT_HOLD = {{ b.hold }};
    reg [1:0]        req_sync;
    reg [1:0]        hold;
    wire             sender_ready;
    integer          i;
    wire             capture = (hold == 2'd0) && req_sync[1] && !aer_ack;
    wire [CHIP_W-1:0] next_sel = (aer_sel == {{ b.chip_last }}) ? {CHIP_W{1'b0}} : aer_sel + {{ b.chip_one }};

    // The chip of the router's one-hot destination: each bit of its number is the OR of the
    // destinations whose number has that bit set.
    wire [CHIP_W-1:0] dest_chip;
{%- for m in b.sel_masks %}
    assign dest_chip[{{ m.key }}] = |(syn_valid & {{ m.value }});
{%- endfor %}

    always @(posedge clk) begin
        if (rst)
            req_sync <= 2'b00;
        else
            req_sync <= {req_sync[0], aer_req};
    end

    always @(posedge clk) begin
        if (rst) begin
            aer_ack <= 1'b0;
            aer_sel <= {CHIP_W{1'b0}};
            hold    <= SELECT_HOLD;
            events  <= {SOURCES{1'b0}};
        end else begin
{%- for c in v.top.chips %}
            for (i = 0; i < {{ c.sources }}; i = i + 1)
                events[{{ c.event_offset }} + i] <= capture && (aer_sel == {{ c.sel }}) && (aer_addr == i[SRC_W-1:0]);
{%- endfor %}
            if (capture) begin
                aer_ack <= 1'b1;
            end else if (aer_ack) begin
                if (!req_sync[1]) begin
                    aer_ack <= 1'b0;
                    aer_sel <= next_sel;
                    hold    <= SELECT_HOLD;
                end
            end else if (hold != 2'd0) begin
                hold <= hold - 2'd1;
            end else begin
                aer_sel <= next_sel;
                hold    <= SELECT_HOLD;
            end
        end
    end

    assign syn_ready = {NCHIPS{sender_ready}};

    {{ v.prefix }}_syn_sender #(.SYN_W(SYN_W)) u_sender (
        .clk(clk),
        .rst(rst),
        .valid(|syn_valid),
        .addr(syn_addr),
        .ready(sender_ready),
        .syn_req(aer_syn_req),
        .syn_addr(aer_syn_addr),
        .syn_ack(aer_syn_ack)
    );

    // The chip of the event the sender takes.
    always @(posedge clk) begin
        if (rst)
            aer_syn_sel <= {CHIP_W{1'b0}};
        else if (sender_ready && |syn_valid)
            aer_syn_sel <= dest_chip;
    end
endmodule
`default_nettype wire
