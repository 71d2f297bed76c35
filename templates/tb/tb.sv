{% include "verilog/header.txt" %}
// Smoke testbench for {{ v.prefix }}_top, the same for Verilator (--binary) and Icarus:
// a 32-bit LFSR feeds the encoder every {{ v.tb.sample_period }} cycles; each chip is modelled as a
// responder that acknowledges synapse events (four-phase) and answers each one with a spike of
// neuron (synapse mod sources). Every class decision is printed; the run ends after
// {{ v.tb.cycles }} cycles with a summary line. Inputs change on the falling edge only.
// It fails ($fatal) on a class out of range, a synapse address past its chip's inputs, a
// request dropped before its acknowledge, or a run with fewer than {{ v.tb.decisions }} decisions{% if v.tb.expect_events %} or synapse events{% endif %}.

`default_nettype none
module {{ v.prefix }}_tb;
    reg clk = 1'b0;
    reg rst = 1'b1;
    reg in_valid = 1'b0;
    reg [{{ v.top.in_data_msb }}:0] in_data = 0;
    reg [31:0] lfsr = 32'h1;
    integer cycle = 0;
    integer decisions = 0;
    integer synapse_events = 0;
    integer ch;
    reg [31:0] answer;
    wire class_valid;
    wire [{{ v.top.class_msb }}:0] class_out;
    wire signed [{{ v.top.acc_msb }}:0] class_score;
{% for c in v.top.chips %}
    reg {{ c.name }}_req = 1'b0;
    reg [{{ v.top.src_msb }}:0] {{ c.name }}_addr = 0;
    wire {{ c.name }}_ack;
    wire {{ c.name }}_syn_req;
    wire [{{ v.top.syn_msb }}:0] {{ c.name }}_syn_addr;
    reg {{ c.name }}_syn_ack = 1'b0;
    reg {{ c.name }}_fire = 1'b0;
    reg {{ c.name }}_was_req = 1'b0;
    reg [{{ v.top.src_msb }}:0] {{ c.name }}_next = 0;
{%- endfor %}
{%- if let Some(b) = v.top.bus %}

    // The shared bus: a chip drives its lines only while selected for them, and sees the
    // bus's ack and synapse request only while selected.
    reg aer_req;
    reg [{{ v.top.src_msb }}:0] aer_addr;
    reg aer_syn_ack;
    wire aer_ack;
    wire [{{ b.chip_msb }}:0] aer_sel;
    wire aer_syn_req;
    wire [{{ v.top.syn_msb }}:0] aer_syn_addr;
    wire [{{ b.chip_msb }}:0] aer_syn_sel;
    always @* begin
        aer_req = 1'b0;
        aer_addr = 0;
        aer_syn_ack = 1'b0;
{%- for c in v.top.chips %}
        if (aer_sel == {{ c.sel }}) begin
            aer_req = {{ c.name }}_req;
            aer_addr = {{ c.name }}_addr;
        end
        if (aer_syn_sel == {{ c.sel }}) aer_syn_ack = {{ c.name }}_syn_ack;
{%- endfor %}
    end
{%- for c in v.top.chips %}
    assign {{ c.name }}_ack = aer_ack && (aer_sel == {{ c.sel }});
    assign {{ c.name }}_syn_req = aer_syn_req && (aer_syn_sel == {{ c.sel }});
    assign {{ c.name }}_syn_addr = aer_syn_addr;
{%- endfor %}
{%- endif %}

    always #5 clk = ~clk;

{% include "tb/dut_instance.txt" %}

    always @(negedge clk) begin
        cycle = cycle + 1;
        if (cycle == {{ v.tb.reset_cycles }}) rst = 1'b0;
        in_valid = (cycle % {{ v.tb.sample_period }} == {{ v.tb.sample_phase }});
        for (ch = 0; ch < {{ v.tb.channels }}; ch = ch + 1) begin
            lfsr = {lfsr[30:0], lfsr[31] ^ lfsr[21] ^ lfsr[1] ^ lfsr[0]};
            in_data[ch*{{ v.tb.sample_bits }} +: {{ v.tb.sample_bits }}] = lfsr[{{ v.tb.sample_msb }}:0];
        end
{%- for c in v.top.chips %}
        // chip {{ c.name }}: acknowledge synapse events, answer each with one spike
        if ({{ c.name }}_syn_req && { {{ v.tb.syn_pad }}'d0, {{ c.name }}_syn_addr } >= 32'd{{ c.synapses }}) begin
            $display("tb: FAIL cycle %0d: chip {{ c.name }} sent synapse %0d of {{ c.synapses }}", cycle, {{ c.name }}_syn_addr);
            $fatal(1);
        end
        if ({{ c.name }}_was_req && !{{ c.name }}_syn_req && !{{ c.name }}_syn_ack) begin
            $display("tb: FAIL cycle %0d: chip {{ c.name }}'s synapse request fell before its acknowledge", cycle);
            $fatal(1);
        end
        {{ c.name }}_was_req = {{ c.name }}_syn_req;
        if ({{ c.name }}_syn_req && !{{ c.name }}_syn_ack) begin
            {{ c.name }}_syn_ack = 1'b1;
            synapse_events = synapse_events + 1;
            if (!{{ c.name }}_fire) begin
                {{ c.name }}_fire = 1'b1;
                answer = { {{ v.tb.syn_pad }}'d0, {{ c.name }}_syn_addr } % {{ c.sources }};
                {{ c.name }}_next = answer[{{ v.top.src_msb }}:0];
            end
        end else if (!{{ c.name }}_syn_req && {{ c.name }}_syn_ack) begin
            {{ c.name }}_syn_ack = 1'b0;
        end
        if ({{ c.name }}_req && {{ c.name }}_ack) begin
            {{ c.name }}_req = 1'b0;
        end else if (!{{ c.name }}_req && !{{ c.name }}_ack && {{ c.name }}_fire) begin
            {{ c.name }}_addr = {{ c.name }}_next;
            {{ c.name }}_req = 1'b1;
            {{ c.name }}_fire = 1'b0;
        end
{%- endfor %}
        if (cycle == {{ v.tb.cycles }}) begin
            $display("tb: cycles %0d decisions %0d synapse_events %0d", cycle, decisions, synapse_events);
            if (decisions < {{ v.tb.decisions }}{% if v.tb.expect_events %} || synapse_events == 0{% endif %}) begin
                $display("tb: FAIL expected {{ v.tb.decisions }} decisions{% if v.tb.expect_events %} and synapse events{% endif %}");
                $fatal(1);
            end
            $finish;
        end
    end

    always @(posedge clk) begin
        if (class_valid) begin
            decisions = decisions + 1;
            $display("tb: cycle %0d class %0d score %0d", cycle, class_out, class_score);
            if (class_out > {{ v.tb.class_max }}) begin
                $display("tb: FAIL class %0d past the last class {{ v.tb.class_max }}", class_out);
                $fatal(1);
            end
        end
    end
endmodule
`default_nettype wire
