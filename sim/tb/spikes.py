#!/usr/bin/env python3
"""spikes.py FILE VDD [thr]: count spk rising edges, frequency and energy/spike from wrdata
file with columns time v(vmem) v(spk) ivdd (ivdd = current delivered by the supply)."""
import sys
f=sys.argv[1]; vdd=float(sys.argv[2]); thr=float(sys.argv[3]) if len(sys.argv)>3 else vdd/2
t=[];vm=[];vs=[];i=[]
for l in open(f):
    p=l.split()
    if not p or p[0]=='time': continue
    t.append(float(p[0]));vm.append(float(p[1]));vs.append(float(p[2]));i.append(float(p[3]))
ed=[]
for k in range(1,len(t)):
    if vs[k-1]<thr<=vs[k]:
        ed.append(t[k-1]+(thr-vs[k-1])*(t[k]-t[k-1])/(vs[k]-vs[k-1]))
fe=[]
for k in range(1,len(t)):
    if vs[k-1]>=thr>vs[k]:
        fe.append(t[k-1]+(thr-vs[k-1])*(t[k]-t[k-1])/(vs[k]-vs[k-1]))
pw=[b-a for a in ed for b in fe if b>a][:1]
if len(ed)>1:
    pw=[min([b for b in fe if b>a],default=a)-a for a in ed[-2:-1]]
n=len(ed)
if n<3:
    print(f"spikes={n} f=0 E/spike=nan"); sys.exit(0)
# energy between first and last spike (whole periods), plus mean power
e=0.0
for k in range(1,len(t)):
    if t[k]<=ed[0] or t[k-1]>=ed[-1]: continue
    a=max(t[k-1],ed[0]); b=min(t[k],ed[-1])
    e+=0.5*(i[k]+i[k-1])*(b-a)*vdd
per=(ed[-1]-ed[0])/(n-1)
# steady-state: use second half periods for frequency
isis=[b-a for a,b in zip(ed,ed[1:])]
print(f"spikes={n} f={1/per/1e3:.3f} kHz  pw={pw[0]*1e6 if pw else float('nan'):.3f} us  ISI_last={isis[-1]*1e6:.3f} us  E/spike={e/(n-1)*1e15:.2f} fJ  "
      f"vmem[min,max]=[{min(vm):.3f},{max(vm):.3f}] spkmax={max(vs):.3f}")
