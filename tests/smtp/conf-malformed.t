# A line that is neither a section, a key = value nor a comment.
!conf [smtpd]
!conf timeout 10
S: 421 4.3.0 Service temporarily unavailable
S: <EOF>
!exit 100
!log event=config
!log cartero.conf:12:
