# limits: reject by client list is a 554 instead of the greeting, then only
# QUIT works (RFC 5321 3.1).
!file clients 10.0.0.1\n192.0.2.0/28\n
!conf [smtpd]
!conf filters = limits
!conf [plugin limits]
!conf clients = clients
S: 554 5.7.1 Client host rejected by policy
C: EHLO x
S: 503 5.5.1 Session rejected, only QUIT is allowed
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!log plugin=limits hook=connect verdict=reject code=554
