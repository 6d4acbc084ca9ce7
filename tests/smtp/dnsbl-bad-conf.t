# dnsbl: the server is an address, never a name to resolve; a bad value
# fails init.
!conf [smtpd]
!conf filters = dnsbl
!conf [plugin dnsbl]
!conf lists = bl.test zen.example=127.0.0.2,127.0.0.3
!conf server = localhost:53
S: 421 4.3.0 Service temporarily unavailable
S: <EOF>
!exit 111
!log plugin dnsbl: init failed: server must be ADDRESS[:PORT] or [IPv6][:PORT] (no host names)
