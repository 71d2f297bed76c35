{% include "verilog/header.txt" %}
// AER spike router. Every source spike sets a pending bit; when idle, the router takes the
// lowest pending source (a spike on a source already pending merges with it), looks up its
// destinations in the routing table and sends them one per cycle, each to its chip, waiting
// while that chip is not ready. A source without destinations is dropped in its grant cycle.
`default_nettype none
module {{ v.prefix }}_router #(
    parameter integer NSRC = {{ v.router.nsrc }},
    parameter integer SRC_W = {{ v.router.src_w }},
    parameter integer NCHIPS = {{ v.router.nchips }},
    parameter integer CHIP_W = {{ v.router.chip_w }},
    parameter integer SYN_W = {{ v.router.syn_w }},
    parameter integer PTR_W = {{ v.router.ptr_w }},
    parameter integer CNT_W = {{ v.router.cnt_w }}
) (
    input  wire              clk,
    input  wire              rst,
    input  wire [NSRC-1:0]   src_spikes,
    output wire [NCHIPS-1:0] out_valid,
    output wire [SYN_W-1:0]  out_syn,
    input  wire [NCHIPS-1:0] out_ready
);
    // Routing table: first destination and destination count of each source ...
    function [PTR_W-1:0] route_base;
        input [SRC_W-1:0] src;
        begin
            case (src)
{%- for e in v.router.base_rom %}
                {{ e.key }}: route_base = {{ e.value }};
{%- endfor %}
                default: route_base = {PTR_W{1'b0}};
            endcase
        end
    endfunction

    function [CNT_W-1:0] route_count;
        input [SRC_W-1:0] src;
        begin
            case (src)
{%- for e in v.router.count_rom %}
                {{ e.key }}: route_count = {{ e.value }};
{%- endfor %}
                default: route_count = {CNT_W{1'b0}};
            endcase
        end
    endfunction

    // ... and the destinations, {chip, synapse}.
    function [CHIP_W+SYN_W-1:0] route_dest;
        input [PTR_W-1:0] ptr;
        begin
            case (ptr)
{%- for e in v.router.dest_rom %}
                {{ e.key }}: route_dest = {{ e.value }};
{%- endfor %}
                default: route_dest = {(CHIP_W+SYN_W){1'b0}};
            endcase
        end
    endfunction

    reg [NSRC-1:0]  pending;
    reg             sending;
    reg [PTR_W-1:0] ptr;
    reg [PTR_W-1:0] last;

    // Lowest pending source: `lowest` isolates the lowest set bit (one carry chain), and each
    // bit of its index is the OR of the one-hot bits whose index has that bit set.
    wire [NSRC-1:0]  lowest = pending & (~pending + {{ v.router.one_src }});
    wire             any = |pending;
    wire [SRC_W-1:0] first;
{%- for m in v.router.index_masks %}
    assign first[{{ m.key }}] = |(lowest & {{ m.value }});
{%- endfor %}

    wire                    grant = !sending && any;
    wire [NSRC-1:0]         grant_mask = grant ? lowest : {NSRC{1'b0}};
    wire [CNT_W-1:0]        count = route_count(first);
    wire [PTR_W-1:0]        base = route_base(first);
    wire [CHIP_W+SYN_W-1:0] dest = route_dest(ptr);
    wire [CHIP_W-1:0]       dest_chip = dest[CHIP_W+SYN_W-1:SYN_W];
    wire                    fire = sending && out_ready[dest_chip];

    assign out_valid = sending ? ({{ v.router.one_chip }} << dest_chip) : {NCHIPS{1'b0}};
    assign out_syn   = dest[SYN_W-1:0];

    always @(posedge clk) begin
        if (rst) begin
            pending <= {NSRC{1'b0}};
            sending <= 1'b0;
            ptr     <= {PTR_W{1'b0}};
            last    <= {PTR_W{1'b0}};
        end else begin
            pending <= (pending & ~grant_mask) | src_spikes;
            if (grant && count != {CNT_W{1'b0}}) begin
                sending <= 1'b1;
                ptr     <= base;
                last    <= base + count[PTR_W-1:0] - {{ v.router.ptr_one }};
            end else if (fire) begin
                if (ptr == last)
                    sending <= 1'b0;
                else
                    ptr <= ptr + {{ v.router.ptr_one }};
            end
        end
    end
endmodule
`default_nettype wire
