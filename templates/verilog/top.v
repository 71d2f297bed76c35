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
{%- for c in v.top.chips %}
    input wire {{ c.name }}_req,
    input wire [{{ v.top.src_msb }}:0] {{ c.name }}_addr,
    output wire {{ c.name }}_ack,
    output wire {{ c.name }}_syn_req,
    output wire [{{ v.top.syn_msb }}:0] {{ c.name }}_syn_addr,
    input wire {{ c.name }}_syn_ack,
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
{% for c in v.top.chips %}
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
