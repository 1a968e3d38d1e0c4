# --8<-- [start:base]
# Turn on the macOS application firewall and stop answering probes (stealth mode).
sudo /usr/libexec/ApplicationFirewall/socketfilterfw --setglobalstate on
sudo /usr/libexec/ApplicationFirewall/socketfilterfw --setstealthmode on
/usr/libexec/ApplicationFirewall/socketfilterfw --getglobalstate
# --8<-- [end:base]
