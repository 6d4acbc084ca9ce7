# An unknown key in [smtpd]: no greeting, 421 4.3.0, exit 100, and the
# log names the file and line.
!conf [smtpd]
!conf max_recipient = 100
S: 421 4.3.0 Service temporarily unavailable
S: <EOF>
!exit 100
!log event=config
!log cartero.conf:12: unknown key
!log max_recipient
