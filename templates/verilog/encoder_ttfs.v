{% include "verilog/header.txt" %}
// Time-to-first-spike encoder: in_valid latches one sample per channel and starts a frame
// (restarting one in progress). The frame counts levels 0, 1, ..., 2^BITS - 1 of STEP cycles
// each, and a channel whose sample x is not 0 spikes once, in the first cycle of level
// 2^BITS - 1 - x: (2^BITS - 1 - x) * STEP cycles after the frame's first cycle. Brighter
// samples step earlier; 0 never does.
`default_nettype none
module {{ v.prefix }}_encoder #(
    parameter integer CHANNELS = {{ v.encoder.channels }},
    parameter integer BITS = {{ v.encoder.bits }},
    parameter integer STEP_W = {{ v.encoder.step_w }}
) (
    input  wire                     clk,
    input  wire                     rst,
    input  wire                     in_valid,
    input  wire [CHANNELS*BITS-1:0] in_data,
    output wire [CHANNELS-1:0]      spikes
);
    reg               run;
    reg  [BITS-1:0]   level;
    reg  [STEP_W-1:0] sub;
    wire              level_start = run && (sub == {STEP_W{1'b0}});
    wire              last_sub = (sub == {{ v.encoder.step_last }});
    always @(posedge clk) begin
        if (rst) begin
            run   <= 1'b0;
            level <= {BITS{1'b0}};
            sub   <= {STEP_W{1'b0}};
        end else if (in_valid) begin
            run   <= 1'b1;
            level <= {BITS{1'b0}};
            sub   <= {STEP_W{1'b0}};
        end else if (run) begin
            if (last_sub) begin
                sub <= {STEP_W{1'b0}};
                if (level == {BITS{1'b1}})
                    run <= 1'b0;
                else
                    level <= level + {{ v.encoder.level_one }};
            end else begin
                sub <= sub + {{ v.encoder.step_one }};
            end
        end
    end

    genvar c;
    generate
        for (c = 0; c < CHANNELS; c = c + 1) begin : g_channel
            reg [BITS-1:0] held;
            reg            spike;
            always @(posedge clk) begin
                if (rst) begin
                    held  <= {BITS{1'b0}};
                    spike <= 1'b0;
                end else if (in_valid) begin
                    held  <= in_data[c*BITS +: BITS];
                    spike <= 1'b0;
                end else begin
                    // Level 2^BITS - 1 - x is ~x.
                    spike <= level_start && (held != {BITS{1'b0}}) && (level == ~held);
                end
            end
            assign spikes[c] = spike;
        end
    endgenerate
endmodule
`default_nettype wire
