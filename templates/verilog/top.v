{% include "verilog/header.txt" %}
// System top: encoder and chip events feed the router (global source addresses: encoder
// channels {{ v.top.encoder_range }}{% for c in v.top.chips %}, {{ c.name }} {{ c.range }}{% endfor %}),
// the router drives each chip's synapse inputs, and the readout classifies feature spikes.
`default_nettype none
module {{ v.prefix }}_top (
    input wire clk,
    input wire rst,
    input wire in_valid,
    input wire [{{ v.top.in_data_msb }}:0] in_data,
{%- for p in v.top.aer_ports %}
    {{ p.dir }} wire {{ p.range }}{{ p.name }},
{%- endfor %}
    output wire class_valid,
    output wire [{{ v.top.class_msb }}:0] class_out,
    output wire signed [{{ v.top.acc_msb }}:0] class_score
);
    wire [{{ v.top.nsrc_msb }}:0] src_spikes;
    wire [{{ v.top.nchips_msb }}:0] route_valid;
    wire [{{ v.top.nchips_msb }}:0] route_ready;
    wire [{{ v.top.syn_msb }}:0] route_syn;
    wire [{{ v.top.nfeat_msb }}:0] feat_spikes;

    {{ v.prefix }}_encoder u_encoder (
        .clk(clk),
        .rst(rst),
        .in_valid(in_valid),
        .in_data(in_data),
        .spikes(src_spikes[{{ v.top.encoder_slice }}])
    );
{% if let Some(b) = v.top.bus %}
    {{ v.prefix }}_aer_bus u_aer (
        .clk(clk),
        .rst(rst),
        .aer_req(aer_req),
        .aer_addr(aer_addr),
        .aer_ack(aer_ack),
        .aer_sel(aer_sel),
        .events(src_spikes[{{ b.events_slice }}]),
        .syn_valid(route_valid),
        .syn_addr(route_syn),
        .syn_ready(route_ready),
        .aer_syn_req(aer_syn_req),
        .aer_syn_addr(aer_syn_addr),
        .aer_syn_sel(aer_syn_sel),
        .aer_syn_ack(aer_syn_ack)
    );
{%- else %}
{%- for c in v.top.chips %}
    {{ v.prefix }}_chip_if #(.SOURCES({{ c.sources }})) u_{{ c.name }} (
        .clk(clk),
        .rst(rst),
        .chip_req({{ c.name }}_req),
        .chip_addr({{ c.name }}_addr),
        .chip_ack({{ c.name }}_ack),
        .events(src_spikes[{{ c.slice }}]),
        .syn_valid(route_valid[{{ c.index }}]),
        .syn_addr(route_syn),
        .syn_ready(route_ready[{{ c.index }}]),
        .chip_syn_req({{ c.name }}_syn_req),
        .chip_syn_addr({{ c.name }}_syn_addr),
        .chip_syn_ack({{ c.name }}_syn_ack)
    );
{% endfor %}
{%- endif %}
    {{ v.prefix }}_router u_router (
        .clk(clk),
        .rst(rst),
        .src_spikes(src_spikes),
        .out_valid(route_valid),
        .out_syn(route_syn),
        .out_ready(route_ready)
    );

    // Readout features: global source address of each feature.
{%- for f in v.top.features %}
    assign feat_spikes[{{ f.index }}] = src_spikes[{{ f.source }}];
{%- endfor %}

    {{ v.prefix }}_readout u_readout (
        .clk(clk),
        .rst(rst),
        .feat_spikes(feat_spikes),
        .class_valid(class_valid),
        .class_out(class_out),
        .class_score(class_score)
    );
endmodule
`default_nettype wire
