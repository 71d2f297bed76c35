#!/usr/bin/env python3
"""Subthreshold slope and Ion from dc_models.cir output (W=1u)."""
import math, sys
def load(f):
    rows=[l.split() for l in open(f) if l.strip()]
    return [(abs(float(r[0])), abs(float(r[1]))) for r in rows[1:]]
for dev in ("n","p"):
    for reg in ("lin","sat"):
        d=load(f"dc{dev}_{reg}.dat")
        # minimum slope (mV/dec) over the subthreshold region (Id < 1e-8 A)
        best=1e9; at=None
        for (v0,i0),(v1,i1) in zip(d,d[4:]):
            if 1e-13 < i0 and i1 < 1e-8:
                s=(v1-v0)/math.log10(i1/i0)*1e3
                if s < best: best, at = s, v0
        # slope between 1 pA and 100 pA (per 1 um W)
        def vat(ix):
            for (v0,i0),(v1,i1) in zip(d,d[1:]):
                if i0 < ix <= i1:
                    return v0+(v1-v0)*math.log(ix/i0)/math.log(i1/i0)
        lo = 1e-12 if d[0][1] < 1e-12 else 10**math.ceil(math.log10(d[0][1])+0.3)
        s2 = (vat(lo*100)-vat(lo))/2*1e3
        ion=d[-1][1]*1e6
        ioff=d[0][1]
        vt = vat(1e-7*1/0.18)  # constant-current Vt at 100nA*W/L
        print(f"{dev}mos Vds={reg}: Smin={best:.1f} mV/dec @|Vgs|={at:.2f}  S(2dec)={s2:.1f} mV/dec  "
              f"Ion={ion:.1f} uA/um  Ioff={ioff:.2e} A  Vt(cc)={vt:.3f} V")
