# After installing Tailscale from its official packages, on the server:
sudo tailscale up
# The server's address on your tailnet (100.x.y.z). Apps then use
# http://that-address:3001 from any device signed in to the same tailnet.
tailscale ip -4
# The devices on your tailnet, and whether they are online.
tailscale status
