"""Reference numbers for Tests/VigilCoreTests/SLO/TaxiBacktestTests.swift, computed with pandas/numpy
straight from the fixture CSVs, independently of Vigil.

1. accuracy of v1 >= 0.70, ticket rule 1x burn over 3d confirmed by 6h, min_samples 200 (short window needs
   max(10, 200/10) = 20 samples to veto): hourly steps, labels as of each step (latest arrival wins).
   Starts when the Wilson lower bound of the 3d bad fraction reaches the 0.3 budget.
2. drift.trip_distance.psi <= 0.2 over 1d, min_samples 200: PSI against reference.csv deciles.

Run: python3 Tests/Reference/taxi_slo_backtest.py
"""
import math, os
import numpy as np
import pandas as pd

FIXTURE = os.path.join(os.path.dirname(__file__), '..', 'Fixtures', 'taxi') + '/'
P=pd.read_csv(FIXTURE + 'predictions.csv',parse_dates=['timestamp'])
F=pd.read_csv(FIXTURE + 'feedback.csv',parse_dates=['timestamp'])
PV1=P[P.version=='v1']
z=1.959963984540054
def wilson(k,n):
    p=k/n; z2=z*z; d=1+z2/n; c=(p+z2/(2*n))/d; h=z/d*math.sqrt(p*(1-p)/n+z2/(4*n*n)); return max(0,c-h),min(1,c+h)
def acc(T,w):
    Fa=F[F.timestamp<=T].sort_values('timestamp',kind='stable').drop_duplicates('id',keep='last').set_index('id').label
    win=PV1[(PV1.timestamp>=T-w)&(PV1.timestamp<T)]
    lab=win.join(Fa.rename('y'),on='id').dropna(subset=['y'])
    n=len(lab); k=int((lab.prediction==lab.y).sum()); return k,n
B=0.3
state=None
T=pd.Timestamp('2020-02-01T00:00:00Z')
while T<=pd.Timestamp('2020-03-02T00:00:00Z'):
    k,n=acc(T,pd.Timedelta(days=3))
    ks,ns=acc(T,pd.Timedelta(hours=6))
    fires=holds=False
    if n>0:
        bad=1-k/n; lo,hi=wilson(k,n); badlo=1-hi
        short_ok=True
        if ns>=20: short_ok=(1-ks/ns)/B>=1
        holds=bad/B>=1 and short_ok
        fires=n>=200 and badlo/B>=1 and short_ok
    if state is None and fires: state='firing'; print('FIRING',T,n,k/n,ns)
    elif state=='firing' and not holds: state=None; print('RESOLVED',T,n, k/n if n else None,ns)
    T+=pd.Timedelta('1h')

# --- drift
R=pd.read_csv(FIXTURE + 'reference.csv')
r=R.trip_distance.dropna().values
edges=np.unique(np.quantile(r,[k/10 for k in range(1,10)],method='linear'))
def psi(c):
    rc=np.bincount(np.searchsorted(edges,r,side='left'),minlength=len(edges)+1)
    cc=np.bincount(np.searchsorted(edges,c,side='left'),minlength=len(edges)+1)
    B=len(rc);e=1e-4
    p=(rc/rc.sum()+e)/(1+B*e); q=(cc/cc.sum()+e)/(1+B*e)
    return float(((q-p)*np.log(q/p)).sum())
T=pd.Timestamp('2020-02-01T00:00:00Z'); state=None
while T<=pd.Timestamp('2020-03-01T00:00:00Z'):
    w=P[(P.timestamp>=T-pd.Timedelta(days=1))&(P.timestamp<T)].trip_distance.dropna().values
    if len(w)>=1:
        v=psi(w)
        if state is None and v>0.2 and len(w)>=200: state=1; print('FIRE',T,len(w),v)
        elif state and v<=0.2: state=None; print('RESOLVE',T,len(w),v)
    T+=pd.Timedelta(hours=1)
