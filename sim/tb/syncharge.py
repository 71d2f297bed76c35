#!/usr/bin/env python3
"""charge per presynaptic spike: integral of synapse current between first and last spk edge / (N-1),
minus nothing (the off-state leak is reported separately)."""
import sys
t=[];vs=[];i=[]
for l in open(sys.argv[1]):
    p=l.split()
    if not p or p[0]=='time': continue
    t.append(float(p[0]));vs.append(float(p[2]));i.append(float(p[3]))
thr=0.3
ed=[t[k] for k in range(1,len(t)) if vs[k-1]<thr<=vs[k]]
q=0.0
for k in range(1,len(t)):
    if t[k]<=ed[0] or t[k-1]>=ed[-1]: continue
    q+=0.5*(i[k]+i[k-1])*(min(t[k],ed[-1])-max(t[k-1],ed[0]))
per=(ed[-1]-ed[0])/(len(ed)-1)
# off-state leak: current just before a spike
k=max(j for j in range(len(t)) if t[j]<ed[-1]-1e-6)
print(f"spikes={len(ed)} Q/spike={q/(len(ed)-1)*1e15:.3f} fC  ileak_off={i[k]*1e12:.3f} pA (x period {per*1e6:.1f} us = {i[k]*per*1e15:.3f} fC)  peak={max(i)*1e9:.2f} nA")
