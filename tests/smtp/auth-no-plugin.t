# No auth plugin in [smtpd]: EHLO lists no AUTH and AUTH is
# 502 5.5.1 "AUTH not available", for any mechanism.
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
S: 502 5.5.1 AUTH not available
C: AUTH FOO
S: 502 5.5.1 AUTH not available
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!log code=502 status=5.5.1 cmd=AUTH text="AUTH not available"
!nolog event=auth 
!nolog AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
