# An unknown section is refused like an unknown key.
!conf [smptd]
!conf timeout = 10
S: 421 4.3.0 Service temporarily unavailable
S: <EOF>
!exit 100
!log event=config
!log cartero.conf:11: unknown section
