#!/usr/bin/env python3
"""sweep_lif.py: f-I points for the LIF neuron. Runs ngspice sequentially (one process)
in a temp dir. usage: sweep_lif.py VLEAK VPW TSTOP I1 I2 ... [--reltol R] [--temp T] [--vdd V]"""
import sys, os, subprocess, tempfile, re
here=os.path.dirname(os.path.abspath(__file__))
args=sys.argv[1:]
opt={'--reltol':'1e-5','--temp':'27','--vdd':'0.6','--cfb':'20f','--cmem':'100f'}
pos=[]
while args:
    a=args.pop(0)
    if a in opt: opt[a]=args.pop(0)
    else: pos.append(a)
vleak,vpw,tstop=pos[0],pos[1],pos[2]
src=open(os.path.join(here,'tb_lif.cir')).read()
src=src.replace('../models/',os.path.join(here,'..','models')+'/').replace('../lif_',os.path.join(here,'..')+'/lif_')
src=src.replace('reltol=1e-4','reltol='+opt['--reltol']).replace('.temp 27','.temp '+opt['--temp'])
src=src.replace('300u',tstop).replace('cmem=100f cfb=20f',f"cmem={opt['--cmem']} cfb={opt['--cfb']}")
for i in pos[3:]:
    d=tempfile.mkdtemp(prefix='lif',dir='/tmp/snnsim')
    s=re.sub(r'^\.param .*$',f".param iin={i} vleakv={vleak} vpwv={vpw} vddv={opt['--vdd']}",src,flags=re.M)
    open(os.path.join(d,'tb.cir'),'w').write(s)
    r=subprocess.run(['ngspice','-b','tb.cir'],cwd=d,capture_output=True,text=True)
    if r.returncode!=0:
        print(i,'ngspice rc',r.returncode); continue
    out=subprocess.run(['python3',os.path.join(here,'spikes.py'),'tb_lif.dat',opt['--vdd']],cwd=d,capture_output=True,text=True).stdout.strip()
    print(f"vleak={vleak} vpw={vpw} iin={i}: {out}", flush=True)
    subprocess.run(['rm','-rf',d])
