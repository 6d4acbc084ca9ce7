# max_recipients below the RFC 5321 4.5.3.1.8 minimum of 100.
!conf [smtpd]
!conf max_recipients = 50
S: 421 4.3.0 Service temporarily unavailable
S: <EOF>
!exit 100
!log event=config
!log cartero.conf:12: max_recipients must be at least 100
