{% include "verilog/header.txt" %}
// AER interface to one analog chip, two four-phase handshakes across the clock boundary.
// Chip -> FPGA: chip_req is synchronized by two flops; on its rise the address is captured
// (bundled data: stable since req rose), one bit of `events` pulses for one cycle and
// chip_ack rises; chip_ack falls after req falls.
// FPGA -> chip: a synapse event from the router goes out through {{ v.prefix }}_syn_sender on
// chip_syn_req, chip_syn_addr and chip_syn_ack.
`default_nettype none
module {{ v.prefix }}_chip_if #(
    parameter integer SOURCES = 1,
    parameter integer SRC_W = {{ v.chip_if.src_w }},
    parameter integer SYN_W = {{ v.chip_if.syn_w }}
) (
    input  wire               clk,
    input  wire               rst,
    input  wire               chip_req,
    input  wire [SRC_W-1:0]   chip_addr,
    output reg                chip_ack,
    output reg  [SOURCES-1:0] events,
    input  wire               syn_valid,
    input  wire [SYN_W-1:0]   syn_addr,
    output wire               syn_ready,
    output wire               chip_syn_req,
    output wire [SYN_W-1:0]   chip_syn_addr,
    input  wire               chip_syn_ack
);
    reg [1:0] req_sync;
    integer   i;

    always @(posedge clk) begin
        if (rst)
            req_sync <= 2'b00;
        else
            req_sync <= {req_sync[0], chip_req};
    end

    always @(posedge clk) begin
        if (rst) begin
            chip_ack <= 1'b0;
            events   <= {SOURCES{1'b0}};
        end else begin
            for (i = 0; i < SOURCES; i = i + 1)
                events[i] <= req_sync[1] && !chip_ack && (chip_addr == i[SRC_W-1:0]);
            if (req_sync[1] && !chip_ack)
                chip_ack <= 1'b1;
            else if (!req_sync[1] && chip_ack)
                chip_ack <= 1'b0;
        end
    end

    {{ v.prefix }}_syn_sender #(.SYN_W(SYN_W)) u_sender (
        .clk(clk),
        .rst(rst),
        .valid(syn_valid),
        .addr(syn_addr),
        .ready(syn_ready),
        .syn_req(chip_syn_req),
        .syn_addr(chip_syn_addr),
        .syn_ack(chip_syn_ack)
    );
endmodule
`default_nettype wire
