"""Fabric topologies for Mininet (loaded by sluice.py for `mn --topo NAME,ARGS`)."""
topos = {}
