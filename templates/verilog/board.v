{% include "verilog/header.txt" %}
// Board-level top: the system top behind the serial host link, so that only the chips' AER
// buses, the link and irq need pins. The host streams encoder sample rows in over SPI and
// reads the class decisions and scores back (see {{ v.prefix }}_host_link).
`default_nettype none
module {{ v.prefix }}_board (
    input wire clk,
    input wire rst,
    input wire spi_sck,
    input wire spi_cs_n,
    input wire [{{ l.lanes_msb }}:0] spi_sdi,
    output wire spi_sdo,
{%- for p in v.top.aer_ports %}
    {{ p.dir }} wire {{ p.range }}{{ p.name }},
{%- endfor %}
    output wire irq
);
    wire in_valid;
    wire [{{ v.top.in_data_msb }}:0] in_data;
    wire class_valid;
    wire [{{ v.top.class_msb }}:0] class_out;
    wire [{{ v.top.acc_msb }}:0] class_score;

    {{ v.prefix }}_host_link u_link (
        .clk(clk),
        .rst(rst),
        .spi_sck(spi_sck),
        .spi_cs_n(spi_cs_n),
        .spi_sdi(spi_sdi),
        .spi_sdo(spi_sdo),
        .irq(irq),
        .in_valid(in_valid),
        .in_data(in_data),
        .class_valid(class_valid),
        .class_out(class_out),
        .class_score(class_score)
    );

    {{ v.prefix }}_top u_top (
        .clk(clk),
        .rst(rst),
        .in_valid(in_valid),
        .in_data(in_data),
{%- for p in v.top.aer_ports %}
        .{{ p.name }}({{ p.name }}),
{%- endfor %}
        .class_valid(class_valid),
        .class_out(class_out),
        .class_score(class_score)
    );
endmodule
`default_nettype wire
