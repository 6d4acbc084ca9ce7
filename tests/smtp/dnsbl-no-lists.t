# dnsbl: without lists or rhsbl there is nothing to do: init fails.
!conf [smtpd]
!conf filters = dnsbl
!conf [plugin dnsbl]
!conf server = 127.0.0.1:9
S: 421 4.3.0 Service temporarily unavailable
S: <EOF>
!exit 111
!log plugin dnsbl: init failed: [plugin dnsbl] needs lists = ZONE... or rhsbl = ZONE...
