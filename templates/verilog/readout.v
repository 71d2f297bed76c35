{% include "verilog/header.txt" %}
// Fixed-point linear readout. Saturating counters count each feature's spikes over a window
// of WINDOW cycles (the spike in the window's last cycle included). When a window closes the
// counts are latched and cleared, then one multiply-accumulate per cycle computes, class by
// class, score = sum(weight[class][bin][feature] * count[feature]) with weights in Q{{ v.readout.q_int }}.{{ v.readout.q_frac }}.
// A frame is BINS windows, the first starting at reset; window b of a frame is time bin b,
// and a class's total is the sum of its scores over the frame's bins. After the last bin the
// class with the highest total wins (ties: the lower class); class_valid pulses once.
// The weights sit in a synchronous ROM read one step ahead (block RAM on an FPGA).
`default_nettype none
module {{ v.prefix }}_readout #(
    parameter integer NFEAT = {{ v.readout.nfeat }},
    parameter integer NCLASS = {{ v.readout.nclass }},
    parameter integer BINS = {{ v.readout.bins }},
    parameter integer CNT_W = {{ v.readout.cnt_w }},
    parameter integer W_W = {{ v.readout.w_w }},
    parameter integer PROD_W = {{ v.readout.prod_w }},
    parameter integer ACC_W = {{ v.readout.acc_w }},
    parameter integer WIN_W = {{ v.readout.win_w }},
    parameter integer FEAT_W = {{ v.readout.feat_w }},
    parameter integer CLASS_W = {{ v.readout.class_w }},
    parameter integer BIN_W = {{ v.readout.bin_w }},
    parameter integer KEY_W = {{ v.readout.key_w }}
) (
    input  wire                      clk,
    input  wire                      rst,
    input  wire [NFEAT-1:0]          feat_spikes,
    output reg                       class_valid,
    output reg  [CLASS_W-1:0]        class_out,
    output reg  signed [ACC_W-1:0]   class_score
);
{% include "verilog/window.txt" %}

    // Per-feature saturating counters and the latched counts of the last window.
    wire [NFEAT*CNT_W-1:0] latched;
    genvar f;
    generate
        for (f = 0; f < NFEAT; f = f + 1) begin : g_feature
            reg  [CNT_W-1:0] count;
            reg  [CNT_W-1:0] held;
            wire [CNT_W-1:0] next = (feat_spikes[f] && count != {CNT_W{1'b1}}) ? count + {{ v.readout.cnt_one }} : count;
            always @(posedge clk) begin
                if (rst) begin
                    count <= {CNT_W{1'b0}};
                    held  <= {CNT_W{1'b0}};
                end else if (win_end) begin
                    count <= {CNT_W{1'b0}};
                    held  <= next;
                end else begin
                    count <= next;
                end
            end
            assign latched[f*CNT_W +: CNT_W] = held;
        end
    endgenerate

    // Multiply-accumulate, one feature per cycle.
    reg                      busy;
    reg  [CLASS_W-1:0]       cls;
    reg  [FEAT_W-1:0]        feat;
    reg  signed [ACC_W-1:0]  acc;
    reg  signed [ACC_W-1:0]  best;
    reg  [CLASS_W-1:0]       best_cls;
    wire                     first_bin; // this window is the frame's first bin
    wire signed [ACC_W-1:0]  carried;   // cls's total over the frame's earlier bins
    wire                     last_bin;  // this window is the frame's last bin

    // The weight ROM, laid out in the order the multiply-accumulate walks it
    // ({{ v.readout.key_fields }}), so that a walk reads consecutive addresses: from 0 in a
    // frame's first bin, on from where the last walk ended in the others (a walk always ends
    // before the next window closes: windows are longer than classes x features + 4 cycles).
    // Read one step ahead into a register, w is always the current step's weight: a
    // synchronous ROM, which synthesis maps onto block RAM instead of logic.
    reg  [KEY_W-1:0]         addr;
    wire [KEY_W-1:0]         addr_next = (rst || (win_end && first_bin)) ? {KEY_W{1'b0}}
                                       : (busy && !win_end) ? addr + {{ v.readout.key_one }} : addr;
    reg  signed [W_W-1:0]    w;
    always @(posedge clk) begin
        addr <= addr_next;
        case (addr_next)
{%- for e in v.readout.weight_rom %}
            {{ e.key }}: w <= {{ e.value }};
{%- endfor %}
            default: w <= {W_W{1'b0}};
        endcase
    end
    wire [CNT_W-1:0]         cnt = latched[feat*CNT_W +: CNT_W];
    wire signed [PROD_W-1:0] w_ext = {{ "{{" }}(PROD_W-W_W){w[W_W-1]}}, w};
    wire signed [PROD_W-1:0] c_ext = {{ "{{" }}(PROD_W-CNT_W){1'b0}}, cnt};
    wire signed [PROD_W-1:0] product = w_ext * c_ext;
    wire signed [ACC_W-1:0]  score = acc + {{ "{{" }}(ACC_W-PROD_W){product[PROD_W-1]}}, product};
    wire                     last_feat = (feat == {{ v.readout.feat_last }});
    wire                     last_cls = (cls == {{ v.readout.class_last }});
    wire signed [ACC_W-1:0]  total = score + carried;
    wire                     better = (cls == {CLASS_W{1'b0}}) || (total > best);
    wire signed [ACC_W-1:0]  new_best = better ? total : best;
    wire [CLASS_W-1:0]       new_best_cls = better ? cls : best_cls;

    // Time bins. With more than one, `bin` counts the windows of a frame and `totals` holds
    // each class's total so far, rotating by one class per class scored so that its low slot
    // is always cls's; the first bin starts from zero. With one bin every window is a frame.
    generate
        if (BINS > 1) begin : g_bins
            reg  [BIN_W-1:0]        bin;
            reg  [NCLASS*ACC_W-1:0] totals;
            assign first_bin = (bin == {BIN_W{1'b0}});
            assign carried  = first_bin ? {ACC_W{1'b0}} : totals[ACC_W-1:0];
            assign last_bin = (bin == {{ v.readout.bin_last }});
            always @(posedge clk) begin
                if (rst) begin
                    bin    <= {BIN_W{1'b0}};
                    totals <= {(NCLASS*ACC_W){1'b0}};
                end else if (busy && last_feat) begin
                    totals <= {total, totals[NCLASS*ACC_W-1:ACC_W]};
                    if (last_cls)
                        bin <= last_bin ? {BIN_W{1'b0}} : bin + {{ v.readout.bin_one }};
                end
            end
        end else begin : g_one
            assign first_bin = 1'b1;
            assign carried  = {ACC_W{1'b0}};
            assign last_bin = 1'b1;
        end
    endgenerate

    always @(posedge clk) begin
        if (rst) begin
            busy        <= 1'b0;
            cls         <= {CLASS_W{1'b0}};
            feat        <= {FEAT_W{1'b0}};
            acc         <= {ACC_W{1'b0}};
            best        <= {ACC_W{1'b0}};
            best_cls    <= {CLASS_W{1'b0}};
            class_valid <= 1'b0;
            class_out   <= {CLASS_W{1'b0}};
            class_score <= {ACC_W{1'b0}};
        end else begin
            class_valid <= 1'b0;
            if (win_end) begin
                busy <= 1'b1;
                cls  <= {CLASS_W{1'b0}};
                feat <= {FEAT_W{1'b0}};
                acc  <= {ACC_W{1'b0}};
            end else if (busy) begin
                if (!last_feat) begin
                    feat <= feat + {{ v.readout.feat_one }};
                    acc  <= score;
                end else begin
                    feat     <= {FEAT_W{1'b0}};
                    acc      <= {ACC_W{1'b0}};
                    best     <= new_best;
                    best_cls <= new_best_cls;
                    if (last_cls) begin
                        busy <= 1'b0;
                        if (last_bin) begin
                            class_valid <= 1'b1;
                            class_out   <= new_best_cls;
                            class_score <= new_best;
                        end
                    end else begin
                        cls <= cls + {{ v.readout.class_one }};
                    end
                end
            end
        end
    end
endmodule
`default_nettype wire
