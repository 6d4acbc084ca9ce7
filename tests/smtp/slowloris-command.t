# The timeout is also a deadline per command line: bytes trickled with
# gaps shorter than the timeout (0.4 s, timeout = 1) do not keep one line
# alive.  The line completes at 2.4 s, well after the 421 (a handler kept
# off the CPU past its deadline may still read what came meanwhile).
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
C> NO
!sleep 0.4
C> OP
!sleep 0.4
C>  x
!sleep 0.4
C> yz
!sleep 0.4
C> zz
!sleep 0.4
C> zz
!sleep 0.4
C> \r\n
S: 421 4.4.2 Timeout exceeded, closing connection
S: <EOF>
!log reason=timeout
