# A value that is not a number where one is needed.
!conf [smtpd]
!conf max_message_size = 10M
S: 421 4.3.0 Service temporarily unavailable
S: <EOF>
!exit 100
!log event=config
!log cartero.conf:12: max_message_size
