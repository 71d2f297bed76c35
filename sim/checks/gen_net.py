#!/usr/bin/env python3
"""gen_net.py N OUT.cir [--p 0.1] [--seed 1] [--opts '...'] [--tran '20n 200u']
Random network of N lif neurons (regular mode) with DC inputs and ~p random syn_exc synapses.
Includes use absolute paths to /work/main/sim so the deck can live anywhere."""
import sys, random, os
here=os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)),'..'))
a=sys.argv[1:]
N=int(a[0]); out=a[1]
kw=dict(p='0.1',seed='1',opts='method=gear reltol=1e-4 abstol=1e-15 vntol=1e-7 gmin=1e-15',tran='20n 200u',cmem='100f',cfb='20f')
for i in range(2,len(a),2): kw[a[i].lstrip('-')]=a[i+1]
rng=random.Random(int(kw['seed']))
L=[f"* random net N={N} p={kw['p']} seed={kw['seed']}",
   f".include {here}/models/generic180.lib", f".include {here}/lif_axon_hillock.cir", f".include {here}/syn_exc.cir",
   f".option {kw['opts']}", ".temp 27", "vdd vdd 0 0.6", "vlk vleak 0 0", "vpw vpw 0 0.5"]
for i in range(N):
    L.append(f"iin{i} 0 m{i} dc {rng.uniform(0.5,2.0):.4f}n")
    L.append(f"x{i} m{i} s{i} sb{i} vdd 0 vleak vpw lif cmem={kw['cmem']} cfb={kw['cfb']}")
ns=0
vws=set()
for i in range(N):
    for j in range(N):
        if i!=j and rng.random()<float(kw['p']):
            vw=rng.choice([0.2,0.25,0.3,0.35,0.4]); vws.add(vw)
            L.append(f"xs{i}_{j} sb{i} m{j} vdd vw{int(vw*100)} syn_exc"); ns+=1
for vw in sorted(vws): L.append(f"vw{int(vw*100)} vw{int(vw*100)} 0 {vw}")
L.append(f"* synapses: {ns}")
L.append(".ic "+" ".join(f"v(m{i})=0" for i in range(N)))
L.append(f".tran {kw['tran']} 0 uic")
L+=[".control","set num_threads=1","set wr_singlescale wr_vecnames numdgt=12","run",
    "if length(time) > 1",
    "  wrdata net.dat "+" ".join(f"v(s{i})" for i in range(N)),
    "  print length(time)", "  quit 0","else","  quit 3","end",".endc",".end"]
open(out,'w').write("\n".join(L)+"\n")
print(f"N={N} synapses={ns}")
