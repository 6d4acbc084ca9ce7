# dnsbl: a malformed allowlist line fails init with FILE:LINE: 421 4.3.0,
# exit 111, and no DNS query is made.
!file allow 192.0.2.0/24\n192.0.2.300\n
!conf [smtpd]
!conf filters = dnsbl
!conf [plugin dnsbl]
!conf lists = bl.test
!conf server = 127.0.0.1:9
!conf allow = allow
S: 421 4.3.0 Service temporarily unavailable
S: <EOF>
!exit 111
!log plugin dnsbl: init failed: /
!log /allow:2: expected ADDRESS[/PREFIX], IPv4 or IPv6
