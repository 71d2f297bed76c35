{% include "verilog/header.txt" %}
// One lane of the readout's spike counters, in block RAM: the features of one chip, which
// arrive over its AER handshake one at a time and at least 6 cycles apart. The counts of
// the two banks (window parity) sit at {bank, index}. A valid bit per entry, cleared for a
// bank when counting moves into it and by reset, makes a stale entry read as 0, so the RAM
// itself is never cleared. A spike reads its entry and writes it back plus one (saturating)
// the next cycle; when the walk has the read port in the spike's cycle, the spike waits one
// cycle: the walk reads a lane once per feature, never two cycles running, as a readout has
// at least 2 classes.
`default_nettype none
module {{ v.prefix }}_count_lane #(
    parameter integer SIZE = 2,
    parameter integer LW = 1,
    parameter integer CNT_W = 8
) (
    input  wire             clk,
    input  wire             rst,
    input  wire             hit,       // a spike of one of the lane's features ...
    input  wire [LW-1:0]    idx,       // ... this one
    input  wire             bank,      // the bank counting this cycle
    input  wire             win_end,   // counting moves to the other bank after this cycle
    input  wire             mac_re,    // the walk reads the other bank ...
    input  wire [LW-1:0]    mac_idx,   // ... at this index
    output wire [CNT_W-1:0] mac_count  // what it read, the next cycle
);
    reg  [CNT_W-1:0] mem [0:(2<<LW)-1];
    reg  [CNT_W-1:0] rdata;
    reg  [SIZE-1:0]  valid0;
    reg  [SIZE-1:0]  valid1;

    // A spike waiting for the read port, and the read a spike made, written back next.
    reg              pend;
    reg  [LW-1:0]    pend_idx;
    reg              pend_bank;
    reg              upd;
    reg  [LW-1:0]    upd_idx;
    reg              upd_bank;
    reg              mac_valid;

    wire             ev = hit || pend;
    wire [LW-1:0]    ev_idx = pend ? pend_idx : idx;
    wire             ev_bank = pend ? pend_bank : bank;
    wire             cnt_re = ev && !mac_re;
    wire             upd_was_valid = upd_bank ? valid1[upd_idx] : valid0[upd_idx];
    wire [CNT_W-1:0] old = upd_was_valid ? rdata : {CNT_W{1'b0}};
    wire [CNT_W-1:0] inc = (old == {CNT_W{1'b1}}) ? old : old + {{ v.readout.cnt_one }};

    // The RAM: one read port (the walk first), one write port.
    wire             re = mac_re || cnt_re;
    wire [LW:0]      raddr = mac_re ? {~bank, mac_idx} : {ev_bank, ev_idx};
    always @(posedge clk) begin
        if (re)
            rdata <= mem[raddr];
        if (upd)
            mem[{upd_bank, upd_idx}] <= inc;
    end

    always @(posedge clk) begin
        if (rst) begin
            valid0 <= {SIZE{1'b0}};
            valid1 <= {SIZE{1'b0}};
            pend   <= 1'b0;
            upd    <= 1'b0;
        end else begin
            if (upd) begin
                if (upd_bank)
                    valid1[upd_idx] <= 1'b1;
                else
                    valid0[upd_idx] <= 1'b1;
            end
            if (win_end) begin
                if (bank)
                    valid0 <= {SIZE{1'b0}};
                else
                    valid1 <= {SIZE{1'b0}};
            end
            pend <= hit && mac_re;
            upd  <= cnt_re;
        end
        pend_idx  <= idx;
        pend_bank <= bank;
        upd_idx   <= ev_idx;
        upd_bank  <= ev_bank;
        if (mac_re)
            mac_valid <= bank ? valid0[mac_idx] : valid1[mac_idx];
    end

    assign mac_count = mac_valid ? rdata : {CNT_W{1'b0}};
endmodule
`default_nettype wire
