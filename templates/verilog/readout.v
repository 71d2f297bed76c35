{% include "verilog/header.txt" %}
// Fixed-point linear readout. Each feature's spikes are counted (saturating) over a window
// of WINDOW cycles, the spike in the window's last cycle included, in two banks that swap
// when a window closes: the next window counts into one while the closed window is scored
// from the other. A chip's features count in a block-RAM lane ({{ v.prefix }}_count_lane);
// features that may spike together (encoder channels) count in registers.
// Scoring a window: one cycle for its last count to land in the RAM (a spike in the window's
// last cycle is written at the next edge), one that fetches the first feature's count, then one multiply per cycle, feature by feature and within a
// feature class by class, product = weight[class][bin][feature] * count[feature] with
// weights in Q{{ v.readout.q_int }}.{{ v.readout.q_frac }}, added a cycle later to the class's total.
// A frame is BINS windows, the first starting at reset; window b of a frame is time bin b,
// and a class's total runs over the frame's bins. After the last bin the totals are
// compared one class per cycle: the highest wins (ties: the lower class) and class_valid
// pulses once. The weights sit in a synchronous ROM read one step ahead (block RAM on an
// FPGA), laid out in the order the walk reads them ({{ v.readout.key_fields }}).
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
    parameter integer KEY_W = {{ v.readout.key_w }},
    parameter integer LANES = {{ v.readout.lane_slots }},
    parameter integer LANE_W = {{ v.readout.lane_w }},
    parameter integer LANE_ID_W = {{ v.readout.lane_id_w }},
    parameter integer ENTRY_W = {{ v.readout.lane_entry_w }}
) (
    input  wire                      clk,
    input  wire                      rst,
    input  wire [NFEAT-1:0]          feat_spikes,
    output reg                       class_valid,
    output reg  [CLASS_W-1:0]        class_out,
    output reg  signed [ACC_W-1:0]   class_score
);
{% include "verilog/window.txt" %}

    // Count banks: counting goes to `bank`, scoring reads the other.
    reg bank;
    always @(posedge clk) begin
        if (rst)
            bank <= 1'b0;
        else if (win_end)
            bank <= ~bank;
    end

    // Register counters: the count of the open window and the held count of the closed one
    // (features in a lane have none here).
    localparam [NFEAT-1:0] IN_LANE = {{ v.readout.in_lane_mask }};
    wire [NFEAT*CNT_W-1:0] latched;
    genvar f;
    generate
        for (f = 0; f < NFEAT; f = f + 1) begin : g_feature
            if (IN_LANE[f]) begin : g_lane
                assign latched[f*CNT_W +: CNT_W] = {CNT_W{1'b0}};
            end else begin : g_register
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
        end
    endgenerate

    // The scoring walk.
    localparam [2:0] IDLE = 3'd0, WAIT = 3'd1, FETCH = 3'd2, MAC = 3'd3, DRAIN = 3'd4, ARGMAX = 3'd5;
    reg  [2:0]               phase;
    reg  [CLASS_W-1:0]       cls;
    reg  [FEAT_W-1:0]        feat;
    wire                     last_feat = (feat == {{ v.readout.feat_last }});
    wire                     last_cls = (cls == {{ v.readout.class_last }});
    wire                     first_bin; // this window is the frame's first bin
    wire                     last_bin;  // this window is the frame's last bin

    // Each feature's lane and index there ({in a lane, lane, index}; 0 for a register).
    function [ENTRY_W-1:0] lane_entry;
        input [FEAT_W-1:0] ft;
        begin
            case (ft)
{%- for e in v.readout.lane_rom %}
                {{ e.key }}: lane_entry = {{ e.value }};
{%- endfor %}
                default: lane_entry = {ENTRY_W{1'b0}};
            endcase
        end
    endfunction

    // A feature's count is fetched one cycle before its first class step: feature 0 in
    // FETCH, feature f+1 in f's last class step.
    wire                     fetch = (phase == FETCH) || (phase == MAC && last_cls && !last_feat);
    wire [FEAT_W-1:0]        fetch_feat = (phase == FETCH) ? {FEAT_W{1'b0}} : feat + {{ v.readout.feat_one }};
    wire [ENTRY_W-1:0]       fetch_entry = lane_entry(fetch_feat);
    wire                     fetch_in_lane = fetch_entry[ENTRY_W-1];
    wire [LANE_ID_W-1:0]     fetch_lane = fetch_entry[LANE_W +: LANE_ID_W];
    reg                      fetched_in_lane;
    reg  [LANE_ID_W-1:0]     fetched_lane;
    always @(posedge clk) begin
        if (fetch) begin
            fetched_in_lane <= fetch_in_lane;
            fetched_lane    <= fetch_lane;
        end
    end
{%- if v.readout.lanes.is_empty() %}
    wire [CNT_W-1:0]         fetched = latched[feat*CNT_W +: CNT_W];
    wire                     unused_fetch = &{1'b0, fetched_in_lane, fetched_lane, fetch_entry[LANE_W-1:0]};
{%- else %}

    // Block-RAM counter lanes: a spike's lane and its index there.
    wire [LANES-1:0]         lane_mac_re = (fetch && fetch_in_lane) ? ({{ v.readout.lane_one }} << fetch_lane) : {LANES{1'b0}};
    wire [LANES*CNT_W-1:0]   lane_count;
{%- for l in v.readout.lanes %}
    wire [{{ l.lw_msb }}:0]             lane{{ l.index }}_idx;
{%- for m in l.idx_masks %}
    assign lane{{ l.index }}_idx[{{ m.key }}] = |(feat_spikes & {{ m.value }});
{%- endfor %}
    {{ v.prefix }}_count_lane #(.SIZE({{ l.size }}), .LW({{ l.lw }}), .CNT_W(CNT_W)) u_lane{{ l.index }} (
        .clk(clk),
        .rst(rst),
        .hit(|(feat_spikes & {{ l.hit_mask }})),
        .idx(lane{{ l.index }}_idx),
        .bank(bank),
        .win_end(win_end),
        .mac_re(lane_mac_re[{{ l.index }}]),
        .mac_idx(fetch_entry[{{ l.lw_msb }}:0]),
        .mac_count(lane_count[{{ l.index }}*CNT_W +: CNT_W])
    );
{%- endfor %}
    wire [CNT_W-1:0]         fetched = fetched_in_lane ? lane_count[fetched_lane*CNT_W +: CNT_W] : latched[feat*CNT_W +: CNT_W];
{%- endif %}

    // The count of the feature being scored: as fetched in its first class step, then kept.
    reg  [CNT_W-1:0]         cnt_kept;
    wire [CNT_W-1:0]         cnt = (cls == {CLASS_W{1'b0}}) ? fetched : cnt_kept;
    always @(posedge clk) begin
        cnt_kept <= cnt;
    end

    // The weight ROM, read one step ahead into a register so that w is always the current
    // step's weight: from address 0 in a frame's first bin, on from where the last walk
    // ended in the others.
    reg  [KEY_W-1:0]         addr;
    wire [KEY_W-1:0]         addr_next = (rst || (phase == FETCH && first_bin)) ? {KEY_W{1'b0}}
                                       : (phase == MAC) ? addr + {{ v.readout.key_one }} : addr;
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

    // Multiply, then add a cycle later into the class's total. `totals` rotates by one
    // class per product added (and per class compared), so that its low slot is always the
    // class being added to; a frame's first bin starts each total from zero.
    wire signed [PROD_W-1:0] w_ext = {{ "{{" }}(PROD_W-W_W){w[W_W-1]}}, w};
    wire signed [PROD_W-1:0] c_ext = {{ "{{" }}(PROD_W-CNT_W){1'b0}}, cnt};
    wire signed [PROD_W-1:0] product = w_ext * c_ext;
    reg  signed [PROD_W-1:0] prod;
    reg                      prod_valid;
    reg                      prod_first;
    reg  [NCLASS*ACC_W-1:0]  totals;
    wire signed [ACC_W-1:0]  slot = totals[ACC_W-1:0];
    wire signed [ACC_W-1:0]  base = prod_first ? {ACC_W{1'b0}} : slot;
    wire signed [ACC_W-1:0]  sum = base + {{ "{{" }}(ACC_W-PROD_W){prod[PROD_W-1]}}, prod};
    reg  signed [ACC_W-1:0]  best;
    reg  [CLASS_W-1:0]       best_cls;
    wire                     better = (cls == {CLASS_W{1'b0}}) || (slot > best);
    wire signed [ACC_W-1:0]  new_best = better ? slot : best;
    wire [CLASS_W-1:0]       new_best_cls = better ? cls : best_cls;

    // Time bins: with more than one, `bin` counts the windows of a frame.
    generate
        if (BINS > 1) begin : g_bins
            reg [BIN_W-1:0] bin;
            assign first_bin = (bin == {BIN_W{1'b0}});
            assign last_bin  = (bin == {{ v.readout.bin_last }});
            always @(posedge clk) begin
                if (rst)
                    bin <= {BIN_W{1'b0}};
                else if (!win_end && phase == DRAIN)
                    bin <= last_bin ? {BIN_W{1'b0}} : bin + {{ v.readout.bin_one }};
            end
        end else begin : g_one
            assign first_bin = 1'b1;
            assign last_bin  = 1'b1;
        end
    endgenerate

    always @(posedge clk) begin
        if (rst) begin
            phase       <= IDLE;
            cls         <= {CLASS_W{1'b0}};
            feat        <= {FEAT_W{1'b0}};
            prod        <= {PROD_W{1'b0}};
            prod_valid  <= 1'b0;
            prod_first  <= 1'b0;
            totals      <= {(NCLASS*ACC_W){1'b0}};
            best        <= {ACC_W{1'b0}};
            best_cls    <= {CLASS_W{1'b0}};
            class_valid <= 1'b0;
            class_out   <= {CLASS_W{1'b0}};
            class_score <= {ACC_W{1'b0}};
        end else begin
            class_valid <= 1'b0;
            prod        <= product;
            prod_valid  <= (phase == MAC);
            prod_first  <= first_bin && (feat == {FEAT_W{1'b0}});
            if (prod_valid)
                totals <= {sum, totals[NCLASS*ACC_W-1:ACC_W]};
            else if (phase == ARGMAX)
                totals <= {slot, totals[NCLASS*ACC_W-1:ACC_W]};
            if (win_end) begin
                phase <= WAIT;
            end else begin
                case (phase)
                    WAIT: begin
                        phase <= FETCH;
                    end
                    FETCH: begin
                        phase <= MAC;
                        cls   <= {CLASS_W{1'b0}};
                        feat  <= {FEAT_W{1'b0}};
                    end
                    MAC: begin
                        if (!last_cls) begin
                            cls <= cls + {{ v.readout.class_one }};
                        end else begin
                            cls <= {CLASS_W{1'b0}};
                            if (last_feat)
                                phase <= DRAIN;
                            else
                                feat <= feat + {{ v.readout.feat_one }};
                        end
                    end
                    DRAIN: begin
                        phase <= last_bin ? ARGMAX : IDLE;
                    end
                    ARGMAX: begin
                        best     <= new_best;
                        best_cls <= new_best_cls;
                        if (last_cls) begin
                            phase       <= IDLE;
                            cls         <= {CLASS_W{1'b0}};
                            class_valid <= 1'b1;
                            class_out   <= new_best_cls;
                            class_score <= new_best;
                        end else begin
                            cls <= cls + {{ v.readout.class_one }};
                        end
                    end
                    default: begin
                    end
                endcase
            end
        end
    end
endmodule
`default_nettype wire
