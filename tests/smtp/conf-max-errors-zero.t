# max_errors = 0 would end every session at once: refused as a config error.
!conf [smtpd]
!conf max_errors = 0
S: 421 4.3.0 Service temporarily unavailable
S: <EOF>
!exit 100
!log max_errors must be at least 1
