# timeout = 1: an idle client hears 421 4.4.2 and is disconnected, exit 0.
!conf [smtpd]
!conf timeout = 1
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
S: 421 4.4.2 Timeout exceeded, closing connection
S: <EOF>
!log event=disconnect reason=timeout
