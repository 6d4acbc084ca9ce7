# dnsbl: a malformed zone or answer filter names the entry.
!conf [smtpd]
!conf filters = dnsbl
!conf [plugin dnsbl]
!conf lists = bl.test zen.example=127.0.0.2,127.0.0
S: 421 4.3.0 Service temporarily unavailable
S: <EOF>
!exit 111
!log plugin dnsbl: init failed: lists: bad answer \"127.0.0\" for zen.example
