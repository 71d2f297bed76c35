#!/usr/bin/env python3
"""Compare rc_spike_tile.dat (one inter-spike interval, all 4 inputs on) with
(a) ideal resistor-only exponential, (b) ODE with Shockley diodes (IS=1e-14, N=1, 27 C)."""
import math
t=[];m=[];s=[]
for l in open('rc_spike_tile.dat'):
    p=l.split()
    if p[0]=='time': continue
    t.append(float(p[0]));m.append(float(p[1]));s.append(float(p[2]))
ed=[k for k in range(1,len(t)) if s[k-1]<0.3<=s[k]]
fe=[k for k in range(1,len(t)) if s[k-1]>=0.3>s[k]]
k0=[k for k in fe if k>ed[1]][0]+1      # first sample after the switch opened (2nd spike)
k1=ed[2]
t0,v0=t[k0],m[k0]
Vs=0.8; R=[1e9,2e9,5e9,1e10]; C=100e-15; IS=1e-14; VT=1.380649e-23*300.15/1.602176634e-19
G=sum(1/r for r in R); tau=C/G
def vtheta(th): # ideal: time from v0 to th
    return -tau*math.log((Vs-th)/(Vs-v0))
def idio(V,r):
    # solve (Vs-V-vd)/r = IS*(exp(vd/VT)-1) for vd by bisection
    lo,hi=0.0,max(Vs-V,0.0)
    for _ in range(60):
        mid=(lo+hi)/2
        if (Vs-V-mid)/r > IS*(math.exp(mid/VT)-1): lo=mid
        else: hi=mid
    return (Vs-V-lo)/r
# ODE RK4
dt=1e-8; V=v0; tt=t0; traj=[]
while V<0.4 and tt<t0+1e-3:
    f=lambda v: sum(idio(v,r) for r in R)/C
    a=f(V); b=f(V+dt/2*a); c=f(V+dt/2*b); d=f(V+dt*c)
    V+=dt/6*(a+2*b+2*c+d); tt+=dt; traj.append((tt,V))
tsim=t[k1-1]+(0.4-m[k1-1])*(t[k1]-t[k1-1])/(m[k1]-m[k1-1]) if m[k1]>m[k1-1] else t[k1]
# time to reach 0.4 V in the simulation: find mem crossing 0.4 between k0 and k1
kc=[k for k in range(k0+1,k1+1) if m[k-1]<0.3999<=m[k]]
tc = t[kc[0]] if kc else t[k1]
print(f"interval start t0={t0*1e6:.3f}us v0={v0:.4f}  sim: reach 0.3999 V after {(tc-t0)*1e6:.3f} us")
print(f"ideal RC (tau={tau*1e6:.2f}us, Vinf=0.8): {vtheta(0.3999)*1e6:.3f} us")
tod=[x for x,v in traj if v>=0.3999]
print(f"diode ODE: {(tod[0]-t0)*1e6:.3f} us")
# waveform error of diode ODE vs sim
import bisect
err=0
tv=[x for x,_ in traj]
for k in range(k0,kc[0] if kc else k1):
    j=bisect.bisect_left(tv,t[k]); 
    if 0<j<len(traj): err=max(err,abs(traj[j][1]-m[k]))
print(f"max |V_sim - V_diodeODE| over the interval: {err*1e3:.3f} mV")
