# A plugin built for another ABI is refused before it is trusted.
!testplugins
!conf [smtpd]
!conf filters = abimismatch
S: 421 4.3.0 Service temporarily unavailable
S: <EOF>
!exit 111
!log event=plugin-load error="built for ABI 2, this is ABI 1
