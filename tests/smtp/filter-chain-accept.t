# limits ACCEPTs the client at connect, so probe (a buggy DEFER with a 5xx
# code at connect) never runs: ACCEPT stops the chain.
!testplugins
!user example.test/alice
!file clients 192.0.2.0/24 accept\n
!conf [smtpd]
!conf filters = limits probe
!conf [plugin limits]
!conf clients = clients
!conf [plugin probe]
!conf hook = connect
!conf verdict = defer
!conf code = 550
S: 220 mx.example.test ESMTP cartero
C: QUIT
S: 221 2.0.0 Bye
!log plugin=limits hook=connect verdict=accept
!nolog plugin-bug
