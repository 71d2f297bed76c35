{% include "verilog/header.txt" %}
// AER interface to one analog chip, two four-phase handshakes across the clock boundary.
// Chip -> FPGA: chip_req is synchronized by two flops; on its rise the address is captured
// (bundled data: stable since req rose), one bit of `events` pulses for one cycle and
// chip_ack rises; chip_ack falls after req falls.
// FPGA -> chip: a synapse event from the router is held on chip_syn_addr with chip_syn_req
// high until the synchronized chip_syn_ack rises; syn_ready is low until ack has fallen again.
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
    output reg                chip_syn_req,
    output reg  [SYN_W-1:0]   chip_syn_addr,
    input  wire               chip_syn_ack
);
    reg [1:0] req_sync;
    reg [1:0] ack_sync;
    reg       busy;
    integer   i;

    always @(posedge clk) begin
        if (rst) begin
            req_sync <= 2'b00;
            ack_sync <= 2'b00;
        end else begin
            req_sync <= {req_sync[0], chip_req};
            ack_sync <= {ack_sync[0], chip_syn_ack};
        end
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

    assign syn_ready = !busy;

    always @(posedge clk) begin
        if (rst) begin
            busy          <= 1'b0;
            chip_syn_req  <= 1'b0;
            chip_syn_addr <= {SYN_W{1'b0}};
        end else if (!busy) begin
            if (syn_valid) begin
                busy          <= 1'b1;
                chip_syn_req  <= 1'b1;
                chip_syn_addr <= syn_addr;
            end
        end else if (chip_syn_req) begin
            if (ack_sync[1])
                chip_syn_req <= 1'b0;
        end else if (!ack_sync[1]) begin
            busy <= 1'b0;
        end
    end
endmodule
`default_nettype wire
