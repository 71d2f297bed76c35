{% include "verilog/header.txt" %}
// The FPGA -> chip half of an AER interface, the same on a chip's own bus and on the shared
// one (four-phase across the clock boundary): a synapse event offered while ready is held on
// syn_addr with syn_req high until the synchronized syn_ack rises; ready stays low until that
// ack has fallen again.
`default_nettype none
module {{ v.prefix }}_syn_sender #(
    parameter integer SYN_W = {{ v.chip_if.syn_w }}
) (
    input  wire             clk,
    input  wire             rst,
    input  wire             valid,
    input  wire [SYN_W-1:0] addr,
    output wire             ready,
    output reg              syn_req,
    output reg  [SYN_W-1:0] syn_addr,
    input  wire             syn_ack
);
    reg [1:0] ack_sync;
    reg       busy;

    assign ready = !busy;

    always @(posedge clk) begin
        if (rst) begin
            ack_sync <= 2'b00;
            busy     <= 1'b0;
            syn_req  <= 1'b0;
            syn_addr <= {SYN_W{1'b0}};
        end else begin
            ack_sync <= {ack_sync[0], syn_ack};
            if (!busy) begin
                if (valid) begin
                    busy     <= 1'b1;
                    syn_req  <= 1'b1;
                    syn_addr <= addr;
                end
            end else if (syn_req) begin
                if (ack_sync[1])
                    syn_req <= 1'b0;
            end else if (!ack_sync[1]) begin
                busy <= 1'b0;
            end
        end
    end
endmodule
`default_nettype wire
