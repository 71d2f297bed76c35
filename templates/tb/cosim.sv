{% include "verilog/header.txt" %}
// Co-simulation harness for `snngen sim rtl`, the same for Verilator (--binary) and Icarus.
// Reads each cycle's inputs from +stimulus=FILE as one binary word, stimulus_word[{{ hv.word_msb }}:0],
// most significant byte first (as $fread fills it); bits {{ hv.inputs_msb }} down to 0 hold these
// ports side by side, the bits above are zero:
//  {% for p in hv.inputs %} {{ p.name }}[{{ p.msb }}:0]{% endfor %}
// applies it while the clock is low, raises the clock, and writes the outputs after the edge
// as one line of hex to +trace=FILE:
//  {% for p in hv.outputs %} {{ p.name }}{% endfor %}
// +vcd=FILE dumps the DUT from cycle +vcd_from=N and ends the run at cycle +vcd_to=M
// (Verilator must be built with --trace; it ignores $dumpoff, hence the early end).
`default_nettype none
module {{ name }};
    reg clk = 1'b0;
{%- for p in hv.inputs %}
    reg [{{ p.msb }}:0] {{ p.name }} = 0;
{%- endfor %}
{%- for p in hv.outputs %}
    wire [{{ p.msb }}:0] {{ p.name }};
{%- endfor %}
    // $fread writes this word; the DUT's inputs are then set from it by a plain assignment
    // (Verilator does not schedule logic on a variable written by a file-reading task).
    reg [{{ hv.word_msb }}:0] stimulus_word;

    {{ hv.module }} dut (
        .clk(clk),
{%- for p in hv.inputs %}
        .{{ p.name }}({{ p.name }}),
{%- endfor %}
{%- for p in hv.outputs %}
        .{{ p.name }}({{ p.name }}){% if !loop.last %},{% endif %}
{%- endfor %}
    );

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
        stimulus = $fopen(stimulus_path, "rb");
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
            matched = $fread(stimulus_word, stimulus);
            if (matched != {{ hv.stimulus_bytes }} || cycle == vcd_to) begin
                $fclose(trace);
                $display("cosim: done after %0d cycles", cycle);
                $finish;
            end
            { {%- for p in hv.inputs %}{{ p.name }}{% if !loop.last %}, {% endif %}{% endfor -%} } = stimulus_word[{{ hv.inputs_msb }}:0];
            if (vcd_on && cycle == vcd_from) begin
                $dumpfile(vcd_path);
                $dumpvars(0, dut);
            end
            #5 clk = 1'b1;
            #4 $fwrite(trace, "{% for p in hv.outputs %}%h{% if !loop.last %} {% endif %}{% endfor %}\n",
                {% for p in hv.outputs %}{{ p.name }}{% if !loop.last %}, {% endif %}{% endfor %});
            #1 clk = 1'b0;
            cycle = cycle + 1;
            if (cycle % 65536 == 0) $display("cosim: cycle %0d", cycle);
        end
    end
endmodule
`default_nettype wire
