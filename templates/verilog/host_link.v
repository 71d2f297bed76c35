{% include "verilog/header.txt" %}
// Serial host link, an SPI target in mode 0 (SCK idles low, data read on its rising edge)
// with LANES data lines from the host. SCK, CS_N and SDI are sampled by two flops each (the
// host is asynchronous), so SCK must stay high and low for at least 2 clock cycles each.
// Host -> FPGA: while CS_N is low, the first SCK rise carries a command on spi_sdi[0]:
// 1 writes a row, 0 only reads. After a write command every rise shifts LANES bits into
// the row, lowest bits first; the rise that completes it (BEATS after the command) hands
// the row to the encoder with a one-cycle in_valid, and the next rise is a command again.
// CS_N high ends a transaction and abandons a partial row.
// FPGA -> host: each class decision is kept with a fresh flag (irq) until a read command,
// which loads {fresh, class, score} into the output register and clears the flag; spi_sdo
// shows the register's top bit and every later rise shifts the next one up (zeros after
// the last), so the host reads the word's bits as SCK rises for the 1 + CLASS_W + ACC_W
// periods after the command.
`default_nettype none
module {{ v.prefix }}_host_link #(
    parameter integer LANES = {{ l.lanes }},
    parameter integer ROW_BITS = {{ l.row_bits }},
    parameter integer BEAT_W = {{ l.beat_w }},
    parameter integer CLASS_W = {{ l.class_w }},
    parameter integer ACC_W = {{ l.acc_w }}
) (
    input  wire                clk,
    input  wire                rst,
    input  wire                spi_sck,
    input  wire                spi_cs_n,
    input  wire [LANES-1:0]    spi_sdi,
    output wire                spi_sdo,
    output wire                irq,
    output reg                 in_valid,
    output reg  [ROW_BITS-1:0] in_data,
    input  wire                class_valid,
    input  wire [CLASS_W-1:0]  class_out,
    input  wire [ACC_W-1:0]    class_score
);
    localparam integer OUT_W = 1 + CLASS_W + ACC_W;
    // Two synchronizer flops, and the previous synchronized value for the edges.
    reg  [2:0]       sck_sync;
    reg  [1:0]       cs_sync;
    reg  [LANES-1:0] sdi_meta;
    reg  [LANES-1:0] sdi_sync;
    wire             selected = !cs_sync[1];
    wire             rise = selected && sck_sync[1] && !sck_sync[2];
    // Rises since the command (0: the next rise is a command) and the command.
    reg  [BEAT_W-1:0] beat;
    reg               writing;
    wire              command = rise && (beat == {BEAT_W{1'b0}});
    wire              read = command && !sdi_sync[0];
    wire              shift = rise && writing && !command;
    reg               fresh;
    reg  [CLASS_W+ACC_W-1:0] result;
    reg  [OUT_W-1:0]  out_shift;

    always @(posedge clk) begin
        if (rst) begin
            sck_sync <= 3'b000;
            cs_sync  <= 2'b11;
            sdi_meta <= {LANES{1'b0}};
            sdi_sync <= {LANES{1'b0}};
        end else begin
            sck_sync <= {sck_sync[1:0], spi_sck};
            cs_sync  <= {cs_sync[0], spi_cs_n};
            sdi_meta <= spi_sdi;
            sdi_sync <= sdi_meta;
        end
    end

    // in_valid rises only after BEATS rises have filled the whole row; its reset keeps
    // unknown bits out of a gate-level simulation all the same.
    always @(posedge clk) begin
        if (rst)
            in_data <= {ROW_BITS{1'b0}};
        else if (shift)
            in_data <= {{ l.shift_in }};
    end

    always @(posedge clk) begin
        if (rst) begin
            beat     <= {BEAT_W{1'b0}};
            writing  <= 1'b0;
            in_valid <= 1'b0;
        end else begin
            in_valid <= shift && (beat == {{ l.beat_full }});
            if (!selected || (shift && beat == {{ l.beat_full }})) begin
                beat <= {BEAT_W{1'b0}};
            end else if (command) begin
                writing <= sdi_sync[0];
                beat    <= {{ l.beat_one }};
            end else if (shift) begin
                beat <= beat + {{ l.beat_one }};
            end
        end
    end

    always @(posedge clk) begin
        if (rst) begin
            fresh     <= 1'b0;
            result    <= {(CLASS_W+ACC_W){1'b0}};
            out_shift <= {OUT_W{1'b0}};
        end else begin
            if (class_valid)
                result <= {class_out, class_score};
            if (class_valid)
                fresh <= 1'b1;
            else if (read)
                fresh <= 1'b0;
            if (read)
                out_shift <= {fresh, result};
            else if (rise)
                out_shift <= {out_shift[OUT_W-2:0], 1'b0};
        end
    end

    assign spi_sdo = out_shift[OUT_W-1];
    assign irq = fresh;
endmodule
`default_nettype wire
