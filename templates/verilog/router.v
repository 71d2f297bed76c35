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
    parameter integer GROUP = {{ v.router.group }},
    parameter integer GROUPS = {{ v.router.groups }},
    parameter integer LOCAL_W = {{ v.router.local_w }}
) (
    input  wire              clk,
    input  wire              rst,
    input  wire [NSRC-1:0]   src_spikes,
    output wire [NCHIPS-1:0] out_valid,
    output wire [SYN_W-1:0]  out_syn,
    input  wire [NCHIPS-1:0] out_ready
);
    // Routing table: first and last destination of each source ...
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

    function [PTR_W-1:0] route_last;
        input [SRC_W-1:0] src;
        begin
            case (src)
{%- for e in v.router.last_rom %}
                {{ e.key }}: route_last = {{ e.value }};
{%- endfor %}
                default: route_last = {PTR_W{1'b0}};
            endcase
        end
    endfunction

    // ... whether it has exactly one ...
    function single;
        input [SRC_W-1:0] src;
        begin
            case (src)
{%- for e in v.router.single_rom %}
                {{ e.key }}: single = 1'b1;
{%- endfor %}
                default: single = 1'b0;
            endcase
        end
    endfunction

    // ... whether it has any ...
    function routed;
        input [SRC_W-1:0] src;
        begin
            case (src)
{%- for e in v.router.base_rom %}
                {{ e.key }}: routed = 1'b1;
{%- endfor %}
                default: routed = 1'b0;
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
    // ptr == last, kept in a register so that a send's end is not decided through the
    // comparator after the destination's chip is known.
    reg             at_last;

    // Lowest pending source: the lowest group of GROUP sources with one pending, and the
    // lowest pending source of every group, found in parallel (x & -x isolates the lowest set
    // bit: a carry chain per group and one over the groups, rather than one over all sources).
    // Its index is {group, source in the group}; each bit of either is the OR of the one-hot
    // bits whose index has that bit set.
{%- for m in v.router.local_masks %}
    localparam [GROUP-1:0] LOCAL_MASK_{{ m.key }} = {{ m.value }};
{%- endfor %}
    wire [GROUPS-1:0]         group_any;
    wire [GROUPS-1:0]         first_group = group_any & (-group_any);
    wire [NSRC-1:0]           lowest;
    wire [GROUPS*LOCAL_W-1:0] local_first;
    wire                      any = |group_any;
    wire [SRC_W-1:0]          first;
    genvar g, b;
    generate
        for (g = 0; g < GROUPS; g = g + 1) begin : g_group
            localparam integer W = (g == GROUPS - 1) ? NSRC - g * GROUP : GROUP;
            wire [W-1:0] bits = pending[g*GROUP +: W];
            wire [W-1:0] low = bits & (-bits);
            assign group_any[g] = |bits;
            assign lowest[g*GROUP +: W] = first_group[g] ? low : {W{1'b0}};
{%- for m in v.router.local_masks %}
            assign local_first[g*LOCAL_W + {{ m.key }}] = |(low & LOCAL_MASK_{{ m.key }}[W-1:0]);
{%- endfor %}
        end
        for (b = 0; b < LOCAL_W; b = b + 1) begin : g_local_bit
            wire [GROUPS-1:0] column;
            for (g = 0; g < GROUPS; g = g + 1) begin : g_column
                assign column[g] = local_first[g*LOCAL_W + b];
            end
            assign first[b] = |(column & first_group);
        end
    endgenerate
{%- for m in v.router.group_masks %}
    assign first[LOCAL_W + {{ m.key }}] = |(first_group & {{ m.value }});
{%- endfor %}

    wire                    grant = !sending && any;
    wire [NSRC-1:0]         grant_mask = grant ? lowest : {NSRC{1'b0}};
    wire                    has_dest = routed(first);
    wire [PTR_W-1:0]        base = route_base(first);
    wire [PTR_W-1:0]        last_dest = route_last(first);
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
            at_last <= 1'b0;
        end else begin
            pending <= (pending & ~grant_mask) | src_spikes;
            if (grant && has_dest) begin
                sending <= 1'b1;
                ptr     <= base;
                last    <= last_dest;
                at_last <= single(first);
            end else if (fire) begin
                if (at_last) begin
                    sending <= 1'b0;
                end else begin
                    ptr     <= ptr + {{ v.router.ptr_one }};
                    at_last <= (ptr + {{ v.router.ptr_one }} == last);
                end
            end
        end
    end
endmodule
`default_nettype wire
