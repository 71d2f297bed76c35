#!/usr/bin/env python3
"""net_spikes.py net.dat [ref.json]: spike times per neuron (rising 0.3 V) from gen_net.py output;
with a reference file, prints the max spike-time difference and count mismatches."""
import sys, json
rows=[l.split() for l in open(sys.argv[1])][1:]
rows=[[float(x) for x in r] for r in rows]
n=len(rows[0])-1
sp=[[] for _ in range(n)]
for a,b in zip(rows,rows[1:]):
    for i in range(n):
        va,vb=a[i+1],b[i+1]
        if va<0.3<=vb: sp[i].append(a[0]+(0.3-va)*(b[0]-a[0])/(vb-va))
print("total spikes",sum(map(len,sp)))
if len(sys.argv)>2:
    try:
        ref=json.load(open(sys.argv[2]))
        dc=sum(abs(len(x)-len(y)) for x,y in zip(sp,ref))
        dt=max((abs(p-q) for x,y in zip(sp,ref) for p,q in zip(x,y)),default=0)
        print(f"count diff {dc}  max |dt| {dt*1e6:.3f} us")
    except FileNotFoundError:
        json.dump(sp,open(sys.argv[2],'w')); print("reference written")
