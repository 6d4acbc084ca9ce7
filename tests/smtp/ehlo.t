# EHLO lists exactly the extensions cartero implements; a second EHLO is
# fine; EHLO without an argument is refused.
S: 220 mx.example.test ESMTP cartero
C: EHLO
S: 501 5.5.4 This command needs an argument
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE 26214400
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: EHLO again.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE 26214400
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!log event=disconnect reason=quit
