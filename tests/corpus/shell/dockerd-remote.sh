#!/bin/sh
# Start the daemon by hand with the API on the network (an old CI recipe).
dockerd -H unix:///var/run/docker.sock -H tcp://0.0.0.0:2375 &  # <- SG701
