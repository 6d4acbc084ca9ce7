# A key the plugin does not declare is a configuration error with file:line.
!conf [smtpd]
!conf filters = limits
!conf [plugin limits]
!conf colour = blue
S: 421 4.3.0 Service temporarily unavailable
S: <EOF>
!exit 100
!log unknown key \"colour\" in [plugin limits]
