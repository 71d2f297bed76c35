{% include "verilog/header.txt" %}
// Co-simulation harness for `snngen sim rtl`, the same for Verilator (--binary) and Icarus.
// Reads one line of hex inputs per cycle from +stimulus=FILE:
//   rst in_valid in_data{% for c in v.top.chips %} {{ c.name }}_req {{ c.name }}_addr {{ c.name }}_syn_ack{% endfor %}
// applies it while the clock is low, raises the clock, and writes the outputs after the edge
// as one line of hex to +trace=FILE:
//  {% for c in v.top.chips %} {{ c.name }}_ack {{ c.name }}_syn_req {{ c.name }}_syn_addr{% endfor %} class_valid class_out class_score
// +vcd=FILE dumps the DUT from cycle +vcd_from=N and ends the run at cycle +vcd_to=M
// (Verilator must be built with --trace; it ignores $dumpoff, hence the early end).
`default_nettype none
module {{ v.prefix }}_cosim;
    reg clk = 1'b0;
    reg rst = 1'b1;
    reg in_valid = 1'b0;
    reg [{{ v.top.in_data_msb }}:0] in_data = 0;
{%- for c in v.top.chips %}
    reg {{ c.name }}_req = 1'b0;
    reg [{{ v.top.src_msb }}:0] {{ c.name }}_addr = 0;
    reg {{ c.name }}_syn_ack = 1'b0;
    wire {{ c.name }}_ack;
    wire {{ c.name }}_syn_req;
    wire [{{ v.top.syn_msb }}:0] {{ c.name }}_syn_addr;
{%- endfor %}
    // $fscanf writes into these first: Verilator does not schedule logic on a variable
    // written by $fscanf, so the DUT's inputs are then set by plain assignments.
    reg s_rst;
    reg s_in_valid;
    reg [{{ v.top.in_data_msb }}:0] s_in_data;
{%- for c in v.top.chips %}
    reg s_{{ c.name }}_req;
    reg [{{ v.top.src_msb }}:0] s_{{ c.name }}_addr;
    reg s_{{ c.name }}_syn_ack;
{%- endfor %}
    wire class_valid;
    wire [{{ v.top.class_msb }}:0] class_out;
    wire [{{ v.top.acc_msb }}:0] class_score;

{% include "tb/dut_instance.txt" %}

    reg [8*4096-1:0] stimulus_path;
    reg [8*4096-1:0] trace_path;
    reg [8*4096-1:0] vcd_path;
    integer stimulus;
    integer trace;
    integer matched;
    integer cycle = 0;
    integer vcd_from = -1;
    integer vcd_to = -1;
    reg vcd_on = 1'b0;

    initial begin
        if (!$value$plusargs("stimulus=%s", stimulus_path) || !$value$plusargs("trace=%s", trace_path)) begin
            $display("cosim: usage: +stimulus=FILE +trace=FILE [+vcd=FILE +vcd_from=N +vcd_to=M]");
            $finish;
        end
        stimulus = $fopen(stimulus_path, "r");
        trace = $fopen(trace_path, "w");
        if (stimulus == 0 || trace == 0) begin
            $display("cosim: cannot open the stimulus or trace file");
            $finish;
        end
        if ($value$plusargs("vcd=%s", vcd_path)) begin
            vcd_on = 1'b1;
            if (!$value$plusargs("vcd_from=%d", vcd_from)) vcd_from = 0;
            if (!$value$plusargs("vcd_to=%d", vcd_to)) vcd_to = -1;
        end
        forever begin
            matched = $fscanf(stimulus, "%h %h %h{% for c in v.top.chips %} %h %h %h{% endfor %}\n",
                s_rst, s_in_valid, s_in_data{% for c in v.top.chips %}, s_{{ c.name }}_req, s_{{ c.name }}_addr, s_{{ c.name }}_syn_ack{% endfor %});
            if (matched != {{ v.tb.cosim_fields }} || cycle == vcd_to) begin
                $fclose(trace);
                $display("cosim: done after %0d cycles", cycle);
                $finish;
            end
            rst = s_rst;
            in_valid = s_in_valid;
            in_data = s_in_data;
{%- for c in v.top.chips %}
            {{ c.name }}_req = s_{{ c.name }}_req;
            {{ c.name }}_addr = s_{{ c.name }}_addr;
            {{ c.name }}_syn_ack = s_{{ c.name }}_syn_ack;
{%- endfor %}
            if (vcd_on && cycle == vcd_from) begin
                $dumpfile(vcd_path);
                $dumpvars(0, dut);
            end
            #5 clk = 1'b1;
            #4 $fwrite(trace, "{% for c in v.top.chips %}%h %h %h {% endfor %}%h %h %h\n",
                {% for c in v.top.chips %}{{ c.name }}_ack, {{ c.name }}_syn_req, {{ c.name }}_syn_addr, {% endfor %}class_valid, class_out, class_score);
            #1 clk = 1'b0;
            cycle = cycle + 1;
            if (cycle % 65536 == 0) $display("cosim: cycle %0d", cycle);
        end
    end
endmodule
`default_nettype wire
