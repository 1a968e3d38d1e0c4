#!/bin/sh
# Debugging the daemon with the API on loopback only, and TLS-verified remote access.
sudo dockerd -H unix:///var/run/docker.sock -H tcp://127.0.0.1:2375 --debug
sudo dockerd --tlsverify --tlscacert=ca.pem --tlscert=server-cert.pem --tlskey=server-key.pem -H=0.0.0.0:2376
