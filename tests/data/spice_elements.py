"""Counts the elements of SPICE netlists with spicelib, a parser independent of ngspice:
every subcircuit instance expanded into its own elements, as ngspice's `listing expand`
shows them. Prints `<netlist> <count>` per argument; run it in the netlists' folder (their
.include paths are relative)."""

import logging
import sys

logging.disable(logging.CRITICAL)
from spicelib.editor.spice_editor import SpiceEditor  # noqa: E402


def flattened(circuit):
    count = 0
    for ref in circuit.get_components():
        if ref[0].upper() == "X":
            count += flattened(circuit.get_subcircuit(ref))
        else:
            count += 1
    return count


for path in sys.argv[1:]:
    print(path, flattened(SpiceEditor(path)))
