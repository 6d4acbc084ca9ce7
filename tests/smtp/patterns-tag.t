# patterns: tag rules of every field add a header field at end of data,
# each once per message, in rules-file order, after cartero's trace fields;
# cartero's own Return-Path and Received are not matched.
!user example.test/alice
!user example.test/bob
!user example.test/carol
!file rules header glob Received:*cartero* tag X-Trace-Seen yes\n
!file rules header glob Return-Path:* tag X-Trace-Seen yes\n
!file rules header regex ^x-tag-me: tag X-Tagged: header\n
!file rules client glob 192.0.2.* tag X-Client-Net test-net-1\n
!file rules helo glob *.example tag X-Helo example\n
!file rules recipient glob *@example.test tag X-Local yes\n
!file rules sender regex ^$ tag X-Bounce yes\n
!file rules header glob Received:*cartero* reject 554 5.7.1 not reached\n
!conf [smtpd]
!conf filters = patterns
!conf [plugin patterns]
!conf rules = rules
S: 220 *
C: HELO client.example
S: 250 *
C: MAIL FROM:<a@example.net>
S: 250 *
C: RCPT TO:<alice@example.test>
S: 250 *
C: RCPT TO:<bob@example.test>
S: 250 *
C: DATA
S: 354 *
C: X-Tag-Me: 1
C: X-Tag-Me: 2
C: Subject: hi
C:
C: body
C: .
S: 250 2.0.0 Ok: queued as *
C: MAIL FROM:<>
S: 250 *
C: RCPT TO:<carol@example.test>
S: 250 *
C: DATA
S: 354 *
C: Subject: bounce
C:
C: body
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 *
!body example.test/bob X-Tagged: header\r\nX-Client-Net: test-net-1\r\nX-Helo: example\r\nX-Local: yes\r\nX-Tag-Me: 1\r\nX-Tag-Me: 2\r\nSubject: hi\r\n\r\nbody\r\n
!mail example.test/alice 1
!body example.test/carol X-Client-Net: test-net-1\r\nX-Helo: example\r\nX-Local: yes\r\nX-Bounce: yes\r\nSubject: bounce\r\n\r\nbody\r\n
!log /rules:3 field=header verdict=tag header=X-Tagged
!log /rules:7 field=sender verdict=tag header=X-Bounce
!nolog X-Trace-Seen
!nolog verdict=reject
