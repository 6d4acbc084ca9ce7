# 8-bit junk where a verb should be is just an unknown command; 8-bit in a
# HELO argument is refused.  The session goes on.
S: 220 mx.example.test ESMTP cartero
C> \xff\xfe\xfd\xfc\r\n
S: 500 5.5.2 Command not recognized
C> NO\xc3\xa9P\r\n
S: 500 5.5.2 Command not recognized
C> \x80\x81\x82\x83 \xc3\xa9\r\n
S: 500 5.5.2 Command not recognized
C> NOOP\xff\r\n
S: 500 5.5.2 Command not recognized
C> HELO caf\xc3\xa9.example\r\n
S: 501 5.5.4 Invalid domain name or address literal
C> EHLO a\tb\r\n
S: 501 5.5.4 Invalid domain name or address literal
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!log code=500 status=5.5.2 cmd=unknown
