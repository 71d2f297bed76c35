{% include "verilog/header.txt" %}
// First-spike readout of a TTFS network. Windows of WINDOW cycles follow each other from
// reset; in each, the first feature to spike is the class (several in the same cycle: the
// lowest index). When the window closes (its last cycle counted), class_valid pulses with
// that class on class_out and, on class_score, the window cycle its spike came in. A window
// in which no feature spikes decides nothing: no pulse, outputs held.
// Present a new input frame at every window start to classify one frame per window.
`default_nettype none
module {{ v.prefix }}_readout #(
    parameter integer NFEAT = {{ v.readout.nfeat }},
    parameter integer ACC_W = {{ v.readout.acc_w }},
    parameter integer WIN_W = {{ v.readout.win_w }},
    parameter integer CLASS_W = {{ v.readout.class_w }}
) (
    input  wire                      clk,
    input  wire                      rst,
    input  wire [NFEAT-1:0]          feat_spikes,
    output reg                       class_valid,
    output reg  [CLASS_W-1:0]        class_out,
    output reg  signed [ACC_W-1:0]   class_score
);
{% include "verilog/window.txt" %}

    // The lowest feature spiking now: `lowest` isolates the lowest set bit (one carry
    // chain), and each bit of its index is the OR of the one-hot bits whose index has it set.
    wire [NFEAT-1:0]   lowest = feat_spikes & (~feat_spikes + {{ v.readout.feat_one_hot }});
    wire               any = |feat_spikes;
    wire [CLASS_W-1:0] now;
{%- for m in v.readout.index_masks %}
    assign now[{{ m.key }}] = |(lowest & {{ m.value }});
{%- endfor %}

    reg               seen;
    reg [CLASS_W-1:0] first;
    reg [WIN_W-1:0]   at;
    always @(posedge clk) begin
        if (rst) begin
            seen        <= 1'b0;
            first       <= {CLASS_W{1'b0}};
            at          <= {WIN_W{1'b0}};
            class_valid <= 1'b0;
            class_out   <= {CLASS_W{1'b0}};
            class_score <= {ACC_W{1'b0}};
        end else begin
            class_valid <= 1'b0;
            if (win_end) begin
                if (seen || any) begin
                    class_valid <= 1'b1;
                    class_out   <= seen ? first : now;
                    class_score <= {1'b0, seen ? at : win};
                end
                seen  <= 1'b0;
                first <= {CLASS_W{1'b0}};
                at    <= {WIN_W{1'b0}};
            end else if (!seen && any) begin
                seen  <= 1'b1;
                first <= now;
                at    <= win;
            end
        end
    end
endmodule
`default_nettype wire
