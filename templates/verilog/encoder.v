{% include "verilog/header.txt" %}
// Sigma-delta rate encoder: on every in_valid each channel adds its unsigned sample to an
// accumulator; the carry out is a spike, so a channel spikes at sample / 2^BITS per sample.
`default_nettype none
module {{ v.prefix }}_encoder #(
    parameter integer CHANNELS = {{ v.encoder.channels }},
    parameter integer BITS = {{ v.encoder.bits }}
) (
    input  wire                     clk,
    input  wire                     rst,
    input  wire                     in_valid,
    input  wire [CHANNELS*BITS-1:0] in_data,
    output wire [CHANNELS-1:0]      spikes
);
    genvar c;
    generate
        for (c = 0; c < CHANNELS; c = c + 1) begin : g_channel
            reg  [BITS-1:0] acc;
            reg             spike;
            wire [BITS:0]   sum = {1'b0, acc} + {1'b0, in_data[c*BITS +: BITS]};
            always @(posedge clk) begin
                if (rst) begin
                    acc   <= {BITS{1'b0}};
                    spike <= 1'b0;
                end else if (in_valid) begin
                    acc   <= sum[BITS-1:0];
                    spike <= sum[BITS];
                end else begin
                    spike <= 1'b0;
                end
            end
            assign spikes[c] = spike;
        end
    endgenerate
endmodule
`default_nettype wire
