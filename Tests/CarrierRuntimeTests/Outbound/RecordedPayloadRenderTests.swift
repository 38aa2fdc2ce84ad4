import CarrierCore
import Testing

@testable import CarrierRuntime

/// Byte-exact reproductions of the outbound examples in /work/shared/payloads/*.yaml, with adapters written
/// the way a carrier definition would describe each carrier.
@Suite struct RecordedPayloadRenderTests {
    typealias B = Build

    static func text(_ r: HTTPRequest) -> String { String(decoding: r.body, as: UTF8.self) }

    // MARK: Twilio (form, basic auth, repeated MediaUrl, optional keys)

    static func twilio(whatsapp: Bool = false) -> Adapter {
        B.adapter(
            id: whatsapp ? "twilio_whatsapp" : "twilio", channels: whatsapp ? ["whatsapp"] : ["sms", "mms"],
            settings: [
                "account_sid": B.setting(.string), "auth_token": B.setting(.secret),
                "base_url": B.setting(.url, default: "https://api.twilio.com"),
                "messaging_service_sid": SettingSpec(type: .string, required: false),
            ],
            auth: B.basicAuth("{{ settings.account_sid }}", "{{ settings.auth_token }}"),
            url: "{{ settings.base_url }}/2010-04-01/Accounts/{{ settings.account_sid | url }}/Messages.json",
            headers: [("Accept", "application/json")], format: .form,
            body: .fields(
                B.object(
                    B.f("Body", "{{ message.body }}"),
                    whatsapp
                        ? B.f("From?", "{{ message.from | prefix:\"whatsapp:\" }}")
                        : B.f("From?", "{{ message.from }}"),
                    B.f("MediaUrl?", "{{ message.media }}"),
                    B.f("MessagingServiceSid?", "{{ settings.messaging_service_sid }}"),
                    B.f("StatusCallback?", "{{ message.callbackUrl }}"),
                    whatsapp ? B.f("To", "whatsapp:{{ message.to }}") : B.f("To", "{{ message.to }}"))))
    }

    static let twilioSettings = ["account_sid": "accountSID", "auth_token": "authToken"]
    static let callback =
        "https://localhost/c/t/8eb23e93-5ecb-45ba-b726-3b064e0c56ab/status?uuid=0191e180-7d60-7000-aded-7d8b151cbd5b&action=callback"

    @Test func twilioPlainText() throws {
        let m = OutboundMessage(to: "+250788383383", from: "2020", body: "Simple Message ☺", callbackUrl: Self.callback)
        let r = try renderRequest(for: m, adapter: Self.twilio(), settings: Self.twilioSettings)
        #expect(r.method == "POST")
        #expect(r.url == "https://api.twilio.com/2010-04-01/Accounts/accountSID/Messages.json")
        #expect(
            r.headers == [
                HTTPHeader("Accept", "application/json"),
                HTTPHeader("Content-Type", "application/x-www-form-urlencoded"),
                HTTPHeader("Authorization", "Basic YWNjb3VudFNJRDphdXRoVG9rZW4="),
            ])
        #expect(
            Self.text(r)
                == "Body=Simple+Message+%E2%98%BA&From=2020&StatusCallback=https%3A%2F%2Flocalhost%2Fc%2Ft%2F8eb23e93-5ecb-45ba-b726-3b064e0c56ab%2Fstatus%3Fuuid%3D0191e180-7d60-7000-aded-7d8b151cbd5b%26action%3Dcallback&To=%2B250788383383"
        )
    }

    @Test func twilioMediaWithoutTextRepeatsMediaUrl() throws {
        let m = OutboundMessage(
            channel: "mms", to: "+250788383383", from: "2020", body: "",
            media: ["https://foo.bar/image.jpg", "https://foo.bar/audio.m4a"], callbackUrl: Self.callback)
        let r = try renderRequest(for: m, adapter: Self.twilio(), settings: Self.twilioSettings)
        #expect(
            Self.text(r)
                == "Body=&From=2020&MediaUrl=https%3A%2F%2Ffoo.bar%2Fimage.jpg&MediaUrl=https%3A%2F%2Ffoo.bar%2Faudio.m4a&StatusCallback=https%3A%2F%2Flocalhost%2Fc%2Ft%2F8eb23e93-5ecb-45ba-b726-3b064e0c56ab%2Fstatus%3Fuuid%3D0191e180-7d60-7000-aded-7d8b151cbd5b%26action%3Dcallback&To=%2B250788383383"
        )
    }

    @Test func twilioMessagingServiceInsteadOfFrom() throws {
        let m = OutboundMessage(
            to: "+250788383383", body: "Simple Message ☺",
            callbackUrl:
                "https://localhost/c/tms/8eb23e93-5ecb-45ba-b726-3b064e0c56cd/status?uuid=0191e180-7d60-7000-aded-7d8b151cbd5b&action=callback"
        )
        var settings = Self.twilioSettings
        settings["messaging_service_sid"] = "messageServiceSID"
        let r = try renderRequest(for: m, adapter: Self.twilio(), settings: settings)
        #expect(
            Self.text(r)
                == "Body=Simple+Message+%E2%98%BA&MessagingServiceSid=messageServiceSID&StatusCallback=https%3A%2F%2Flocalhost%2Fc%2Ftms%2F8eb23e93-5ecb-45ba-b726-3b064e0c56cd%2Fstatus%3Fuuid%3D0191e180-7d60-7000-aded-7d8b151cbd5b%26action%3Dcallback&To=%2B250788383383"
        )
    }

    @Test func twilioWhatsAppAddressesArePrefixed() throws {
        let m = OutboundMessage(
            channel: "whatsapp", to: "+250788383383", from: "+12065551212", body: "Simple Message ☺",
            callbackUrl:
                "https://localhost/c/twa/8eb23e93-5ecb-45ba-b726-3b064e0c56ab/status?uuid=0191e180-7d60-7000-aded-7d8b151cbd5b&action=callback"
        )
        var settings = Self.twilioSettings
        settings["messaging_service_sid"] = "messageServiceSID"
        let r = try renderRequest(for: m, adapter: Self.twilio(whatsapp: true), settings: settings)
        #expect(
            Self.text(r)
                == "Body=Simple+Message+%E2%98%BA&From=whatsapp%3A%2B12065551212&MessagingServiceSid=messageServiceSID&StatusCallback=https%3A%2F%2Flocalhost%2Fc%2Ftwa%2F8eb23e93-5ecb-45ba-b726-3b064e0c56ab%2Fstatus%3Fuuid%3D0191e180-7d60-7000-aded-7d8b151cbd5b%26action%3Dcallback&To=whatsapp%3A%2B250788383383"
        )
    }

    // MARK: Infobip (structured JSON, literal true, JSON text template with the SDK's layout)

    static let infobipWebhook = "https://localhost/c/ib/8eb23e93-5ecb-45ba-b726-3b064e0c56ab/delivered"

    static func infobip() -> Adapter {
        let common: [BodyNode.Field] = [
            B.field(
                "destinations",
                .array([B.object(B.f("to", "{{ message.to | digits }}"), B.f("messageId?", "{{ message.reference }}"))])
            )
        ]
        let webhooks = B.field(
            "webhooks?",
            B.object(
                B.field(
                    "delivery",
                    B.object(
                        B.f("url", "{{ message.callbackUrl }}"), B.field("intermediateReport", .literal("true")),
                        B.f("contentType", "application/json")))))
        let sms = B.object(
            B.field(
                "messages",
                .array([
                    .object(
                        [B.f("from", "{{ message.from }}")] + common + [
                            B.field("content", B.object(B.f("text", "{{ message.body }}"))), webhooks,
                        ])
                ])))
        let mms = B.object(
            B.field(
                "messages",
                .array([
                    .object(
                        [B.f("sender", "{{ message.from }}")] + common + [
                            B.field(
                                "content",
                                B.object(
                                    B.f("title", ""),
                                    B.field(
                                        "messageSegments",
                                        .array([
                                            B.object(B.f("type", "TEXT"), B.f("text", "{{ message.body }}")),
                                            B.object(
                                                B.f("type", "LINK"), B.f("contentUrl", "{{ message.media | first }}"),
                                                B.f("contentType", "image/jpeg")),
                                        ])))), webhooks,
                        ])
                ])))
        return B.adapter(
            id: "infobip", channels: ["sms", "mms"],
            settings: ["base_url": B.setting(.url), "api_key": B.setting(.secret)],
            auth: B.named(.header, "Authorization", "App {{ settings.api_key }}"),
            url: "{{ settings.base_url }}/sms/3/messages", headers: [("Accept", "application/json")], format: .json,
            body: .fields(sms),
            variants: [SendRule.Variant(when: ConditionExpression(B.expr("message.media")), body: .fields(mms))])
    }

    static let infobipSettings = ["base_url": "https://xyz.api.infobip.com", "api_key": "k"]

    @Test func infobipCourierWithWebhook() throws {
        let m = OutboundMessage(
            to: "+250788383383", from: "2020", body: "Simple Message", callbackUrl: Self.infobipWebhook,
            reference: "0191e180-7d60-7000-aded-7d8b151cbd5b")
        let r = try renderRequest(for: m, adapter: Self.infobip(), settings: Self.infobipSettings)
        #expect(r.url == "https://xyz.api.infobip.com/sms/3/messages")
        #expect(r.headers.first(named: "Content-Type") == "application/json")
        #expect(r.headers.first(named: "Authorization") == "App k")
        #expect(
            Self.text(r)
                == #"{"messages":[{"from":"2020","destinations":[{"to":"250788383383","messageId":"0191e180-7d60-7000-aded-7d8b151cbd5b"}],"content":{"text":"Simple Message"},"webhooks":{"delivery":{"url":"https://localhost/c/ib/8eb23e93-5ecb-45ba-b726-3b064e0c56ab/delivered","intermediateReport":true,"contentType":"application/json"}}}]}"#
        )
    }

    @Test func infobipMMSVariantWithSegments() throws {
        let m = OutboundMessage(
            channel: "mms", to: "+250788383383", from: "2020", body: "Check out this image!",
            media: ["https://example.com/my_image.jpg"], callbackUrl: Self.infobipWebhook,
            reference: "0191e180-7d60-7000-aded-7d8b151cbd5b")
        let r = try renderRequest(for: m, adapter: Self.infobip(), settings: Self.infobipSettings)
        #expect(
            Self.text(r)
                == #"{"messages":[{"sender":"2020","destinations":[{"to":"250788383383","messageId":"0191e180-7d60-7000-aded-7d8b151cbd5b"}],"content":{"title":"","messageSegments":[{"type":"TEXT","text":"Check out this image!"},{"type":"LINK","contentUrl":"https://example.com/my_image.jpg","contentType":"image/jpeg"}]},"webhooks":{"delivery":{"url":"https://localhost/c/ib/8eb23e93-5ecb-45ba-b726-3b064e0c56ab/delivered","intermediateReport":true,"contentType":"application/json"}}}]}"#
        )
    }

    @Test func infobipSDKLayoutFromJSONTextTemplate() throws {
        var adapter = Self.infobip()
        adapter.send.variants = []
        adapter.send.body = .text(
            B.t(
                "{\n  \"messages\": [\n    {\n      \"sender\": {{ message.from }},\n      \"destinations\": [\n        {\n          \"to\": {{ message.to | digits }}\n        }\n      ],\n      \"content\": {\n        \"text\": {{ message.body }}\n      }\n    }\n  ]\n}"
            ))
        let m = OutboundMessage(to: "+41793026727", from: "InfoSMS", body: "This is a sample message")
        let r = try renderRequest(for: m, adapter: adapter, settings: Self.infobipSettings)
        #expect(
            Self.text(r)
                == "{\n  \"messages\": [\n    {\n      \"sender\": \"InfoSMS\",\n      \"destinations\": [\n        {\n          \"to\": \"41793026727\"\n        }\n      ],\n      \"content\": {\n        \"text\": \"This is a sample message\"\n      }\n    }\n  ]\n}"
        )
    }

    // MARK: Kannel (GET, query fields, auth query appended last, smart encoding)

    static func kannel() -> Adapter {
        var options = Options()
        options.smartEncoding = true
        return B.adapter(
            id: "kannel",
            settings: [
                "send_url": B.setting(.url), "username": B.setting(.string), "password": B.setting(.secret),
                "dlr_url": B.setting(.url),
            ],
            auth: B.named(.query, "username", "{{ settings.username }}"), method: "get",
            url: "{{ settings.send_url }}", format: .query,
            body: .fields(
                B.object(
                    B.f("dlr-mask", "27"), B.f("dlr-url", "{{ settings.dlr_url }}"), B.f("from", "{{ message.from }}"),
                    B.f("password", "{{ settings.password }}"),
                    B.f("priority?", "{{ message.metadata.priority }}"), B.f("text", "{{ message.body }}"),
                    B.f("to", "{{ message.to }}"))),
            options: options)
    }

    static let kannelSettings = [
        "send_url": "http://kannel:13013/cgi-bin/sendsms", "username": "Username", "password": "Password",
        "dlr_url":
            "https://localhost/c/kn/8eb23e93-5ecb-45ba-b726-3b064e0c56ab/status?uuid=0191e180-7d60-7000-aded-7d8b151cbd5b&status=%d",
    ]
    static let kannelPrefix =
        "http://kannel:13013/cgi-bin/sendsms?dlr-mask=27&dlr-url=https%3A%2F%2Flocalhost%2Fc%2Fkn%2F8eb23e93-5ecb-45ba-b726-3b064e0c56ab%2Fstatus%3Fuuid%3D0191e180-7d60-7000-aded-7d8b151cbd5b%26status%3D%25d&from=2020&password=Password&"

    @Test func kannelGSMText() throws {
        let m = OutboundMessage(to: "+250788383383", from: "2020", body: "Simple Message")
        let r = try renderRequest(for: m, adapter: Self.kannel(), settings: Self.kannelSettings)
        #expect(r.method == "GET")
        #expect(r.body.isEmpty)
        #expect(r.headers.isEmpty)
        #expect(r.url == Self.kannelPrefix + "text=Simple+Message&to=%2B250788383383&username=Username")
    }

    @Test func kannelSmartQuotesReplaced() throws {
        let m = OutboundMessage(to: "+250788383383", from: "2020", body: "Fancy \u{201C}Smart\u{201D} Quotes")
        let r = try renderRequest(for: m, adapter: Self.kannel(), settings: Self.kannelSettings)
        #expect(r.url == Self.kannelPrefix + "text=Fancy+%22Smart%22+Quotes&to=%2B250788383383&username=Username")
    }

    @Test func kannelHighPriorityWithLink() throws {
        let m = OutboundMessage(
            to: "+250788383383", from: "2020", body: "My pic!\nhttps://foo.bar/image.jpg", metadata: ["priority": "1"])
        let r = try renderRequest(for: m, adapter: Self.kannel(), settings: Self.kannelSettings)
        #expect(
            r.url
                == Self.kannelPrefix
                + "priority=1&text=My+pic%21%0Ahttps%3A%2F%2Ffoo.bar%2Fimage.jpg&to=%2B250788383383&username=Username")
    }

    // MARK: Clickatell (GET query, URL already carrying a query string)

    static func clickatell() -> Adapter {
        B.adapter(
            id: "clickatell", settings: ["api_key": B.setting(.secret)], method: "GET",
            url: "https://platform.clickatell.com/messages/http/send", headers: [("Accept", "application/json")],
            format: .query,
            body: .fields(
                B.object(
                    B.f("apiKey", "{{ settings.api_key }}"), B.f("content", "{{ message.body }}"),
                    B.f("from", "{{ message.from }}"), B.f("to", "{{ message.to | digits }}"))))
    }

    @Test(arguments: [
        ("Simple Message", "apiKey=API-KEY&content=Simple+Message&from=2020&to=250788383383"),
        ("Unicode ☺", "apiKey=API-KEY&content=Unicode+%E2%98%BA&from=2020&to=250788383383"),
    ])
    func clickatell(body: String, query: String) throws {
        let m = OutboundMessage(to: "+250788383383", from: "2020", body: body)
        let r = try renderRequest(for: m, adapter: Self.clickatell(), settings: ["api_key": "API-KEY"])
        #expect(r.url == "https://platform.clickatell.com/messages/http/send?" + query)
        #expect(r.headers == [HTTPHeader("Accept", "application/json")])
    }

    // MARK: Vonage (form, credentials as body fields)

    static func vonage() -> Adapter {
        B.adapter(
            id: "vonage", settings: ["api_key": B.setting(.string), "api_secret": B.setting(.secret)],
            url: "https://rest.nexmo.com/sms/json", format: .form,
            body: .fields(
                B.object(
                    B.f("api_key", "{{ settings.api_key }}"), B.f("api_secret", "{{ settings.api_secret }}"),
                    B.f("callback?", "{{ message.callbackUrl }}"), B.f("from", "{{ message.from | digits }}"),
                    B.f("status-report-req", "1"), B.f("text", "{{ message.body }}"),
                    B.f("to", "{{ message.to | digits }}"), B.f("type", "text"))))
    }

    @Test(arguments: [
        ("Simple Message", "text=Simple+Message"),
        ("My pic!\nhttps://foo.bar/image.jpg", "text=My+pic%21%0Ahttps%3A%2F%2Ffoo.bar%2Fimage.jpg"),
    ])
    func vonage(body: String, encodedText: String) throws {
        let m = OutboundMessage(
            to: "+250788383383", from: "2020", body: body,
            callbackUrl: "https://localhost/c/nx/8eb23e93-5ecb-45ba-b726-3b064e0c56ab/status")
        let r = try renderRequest(
            for: m, adapter: Self.vonage(), settings: ["api_key": "nexmo-api-key", "api_secret": "nexmo-api-secret"])
        #expect(
            Self.text(r)
                == "api_key=nexmo-api-key&api_secret=nexmo-api-secret&callback=https%3A%2F%2Flocalhost%2Fc%2Fnx%2F8eb23e93-5ecb-45ba-b726-3b064e0c56ab%2Fstatus&from=2020&status-report-req=1&\(encodedText)&to=250788383383&type=text"
        )
    }

    // MARK: WhatsApp Cloud (bearer, variants, $each, literal false)

    static func whatsapp() -> Adapter {
        let head: [BodyNode.Field] = [
            B.f("messaging_product", "whatsapp"), B.f("recipient_type", "individual"),
            B.f("to", "{{ message.to | digits }}"),
        ]
        let text = BodyNode.object(
            head + [
                B.f("type", "text"),
                B.field("text", B.object(B.f("body", "{{ message.body }}"), B.field("preview_url", .literal("false")))),
            ])
        let image = BodyNode.object(
            head + [
                B.f("type", "image"),
                B.field(
                    "image", B.object(B.f("link", "{{ message.media | first }}"), B.f("caption?", "{{ message.body }}"))
                ),
            ])
        let template = BodyNode.object(
            head + [
                B.f("type", "template"),
                B.field(
                    "template",
                    B.object(
                        B.f("name", "{{ message.template.name }}"),
                        B.field(
                            "language",
                            B.object(B.f("policy", "deterministic"), B.f("code", "{{ message.template.language }}"))),
                        B.field(
                            "components",
                            .array([
                                B.object(
                                    B.f("type", "body"),
                                    B.field(
                                        "parameters",
                                        .each(
                                            source: B.expr("message.template.variables"),
                                            item: B.object(B.f("type", "text"), B.f("text", "{{ item }}")))))
                            ])))),
            ])
        var options = Options()
        options.templates = true
        return B.adapter(
            id: "whatsapp_cloud", channels: ["whatsapp"],
            settings: [
                "phone_number_id": B.setting(.string), "access_token": B.setting(.secret),
                "version": B.setting(.string, default: "v19.0"),
            ],
            auth: B.bearer("{{ settings.access_token }}"),
            url: "https://graph.facebook.com/{{ settings.version }}/{{ settings.phone_number_id }}/messages",
            format: .json, body: .fields(text),
            variants: [
                SendRule.Variant(when: ConditionExpression(B.expr("message.template")), body: .fields(template)),
                SendRule.Variant(when: ConditionExpression(B.expr("message.media")), body: .fields(image)),
            ], options: options)
    }

    static let whatsappSettings = ["phone_number_id": "12345", "access_token": "EAAG"]

    @Test func whatsappText() throws {
        let m = OutboundMessage(channel: "whatsapp", to: "+250788123123", body: "Simple Message")
        let r = try renderRequest(for: m, adapter: Self.whatsapp(), settings: Self.whatsappSettings)
        #expect(r.url == "https://graph.facebook.com/v19.0/12345/messages")
        #expect(r.headers.first(named: "authorization") == "Bearer EAAG")
        #expect(
            Self.text(r)
                == #"{"messaging_product":"whatsapp","recipient_type":"individual","to":"250788123123","type":"text","text":{"body":"Simple Message","preview_url":false}}"#
        )
    }

    @Test func whatsappImageWithCaption() throws {
        let m = OutboundMessage(
            channel: "whatsapp", to: "+250788123123", body: "image caption", media: ["https://foo.bar/image.jpg"])
        let r = try renderRequest(for: m, adapter: Self.whatsapp(), settings: Self.whatsappSettings)
        #expect(
            Self.text(r)
                == #"{"messaging_product":"whatsapp","recipient_type":"individual","to":"250788123123","type":"image","image":{"link":"https://foo.bar/image.jpg","caption":"image caption"}}"#
        )
    }

    @Test func whatsappTemplateWithEach() throws {
        let m = OutboundMessage(
            channel: "whatsapp", to: "+250788123123",
            template: .init(name: "revive_issue", language: "en_US", variables: ["Chef", "tomorrow"]))
        let r = try renderRequest(for: m, adapter: Self.whatsapp(), settings: Self.whatsappSettings)
        #expect(
            Self.text(r)
                == #"{"messaging_product":"whatsapp","recipient_type":"individual","to":"250788123123","type":"template","template":{"name":"revive_issue","language":{"policy":"deterministic","code":"en_US"},"components":[{"type":"body","parameters":[{"type":"text","text":"Chef"},{"type":"text","text":"tomorrow"}]}]}}"#
        )
    }

    // MARK: Telnyx (JSON text templates keeping the documented layout)

    @Test func telnyxSMS() throws {
        let adapter = B.adapter(
            id: "telnyx", settings: ["api_key": B.setting(.secret)], auth: B.bearer("{{ settings.api_key }}"),
            url: "https://api.telnyx.com/v2/messages", format: .json,
            body: .text(
                B.t(
                    "{\n    \"from\": {{ message.from }},\n    \"to\": {{ message.to }},\n    \"text\": {{ message.body }}\n  }"
                )))
        let m = OutboundMessage(to: "+15559876543", from: "+15551234567", body: "Hello, world!")
        let r = try renderRequest(for: m, adapter: adapter, settings: ["api_key": "KEY"])
        #expect(
            Self.text(r)
                == "{\n    \"from\": \"+15551234567\",\n    \"to\": \"+15559876543\",\n    \"text\": \"Hello, world!\"\n  }"
        )
        #expect(
            r.headers == [HTTPHeader("Content-Type", "application/json"), HTTPHeader("Authorization", "Bearer KEY")])
    }

    @Test func telnyxMMSWithWebhook() throws {
        let adapter = B.adapter(
            id: "telnyx", channels: ["sms", "mms"],
            settings: ["api_key": B.setting(.secret), "failover_url": B.setting(.url)],
            auth: B.bearer("{{ settings.api_key }}"), url: "https://api.telnyx.com/v2/messages", format: .json,
            body: .text(
                B.t(
                    "{\n  \"from\": {{ message.from }},\n  \"to\": {{ message.to }},\n  \"text\": {{ message.body }},\n  \"subject\": {{ message.metadata.subject }},\n  \"media_urls\": {{ message.media }},\n  \"webhook_url\": {{ message.callbackUrl }},\n  \"webhook_failover_url\": {{ settings.failover_url }},\n  \"use_profile_webhooks\": false\n}"
                )))
        let m = OutboundMessage(
            channel: "mms", to: "+18665550001", from: "+18445550001", body: "Hello, World!",
            media: ["https://pbs.twimg.com/profile_images/1142168442042118144/AW3F4fFD_400x400.png"],
            callbackUrl: "https://www.example.com/hooks", metadata: ["subject": "From Telnyx!"])
        let r = try renderRequest(
            for: m, adapter: adapter, settings: ["api_key": "KEY", "failover_url": "https://backup.example.com/hooks"])
        #expect(
            Self.text(r)
                == "{\n  \"from\": \"+18445550001\",\n  \"to\": \"+18665550001\",\n  \"text\": \"Hello, World!\",\n  \"subject\": \"From Telnyx!\",\n  \"media_urls\": [\"https://pbs.twimg.com/profile_images/1142168442042118144/AW3F4fFD_400x400.png\"],\n  \"webhook_url\": \"https://www.example.com/hooks\",\n  \"webhook_failover_url\": \"https://backup.example.com/hooks\",\n  \"use_profile_webhooks\": false\n}"
        )
    }

    // MARK: MessageMedia (basic auth, JSON text template)

    @Test func messageMediaMinimal() throws {
        let adapter = B.adapter(
            id: "messagemedia", settings: ["api_key": B.setting(.string), "api_secret": B.setting(.secret)],
            auth: B.basicAuth("{{ settings.api_key }}", "{{ settings.api_secret }}"),
            url: "https://eu.app.api.sinch.com/v1/messages", headers: [("Accept", "application/json")], format: .json,
            body: .text(
                B.t(
                    "{\n  \"messages\": [\n    {\n      \"content\": {{ message.body }},\n      \"destination_number\": {{ message.to }}\n    }\n  ]\n}"
                )))
        let m = OutboundMessage(to: "+61491570156", body: "My first message!")
        let r = try renderRequest(for: m, adapter: adapter, settings: ["api_key": "key", "api_secret": "s3cret"])
        #expect(
            Self.text(r)
                == "{\n  \"messages\": [\n    {\n      \"content\": \"My first message!\",\n      \"destination_number\": \"+61491570156\"\n    }\n  ]\n}"
        )
        #expect(r.headers.first(named: "Authorization") == "Basic a2V5OnMzY3JldA==")
    }

    // MARK: Africa's Talking (form, apiKey header auth, optional from)

    static func africasTalking() -> Adapter {
        B.adapter(
            id: "africastalking", settings: ["username": B.setting(.string), "api_key": B.setting(.secret)],
            auth: B.named(.header, "apiKey", "{{ settings.api_key }}"),
            url: "https://api.africastalking.com/version1/messaging", headers: [("Accept", "application/json")],
            format: .form,
            body: .fields(
                B.object(
                    B.f("from?", "{{ message.from }}"), B.f("message", "{{ message.body }}"),
                    B.f("to", "{{ message.to }}"), B.f("username", "{{ settings.username }}"))))
    }

    @Test(
        arguments: [
            (
                "2020", "Simple Message ☺",
                "from=2020&message=Simple+Message+%E2%98%BA&to=%2B250788383383&username=Username"
            ),
            (nil, "Simple Message ☺", "message=Simple+Message+%E2%98%BA&to=%2B250788383383&username=Username"),
            (
                "2020", "My pic!\nhttps://foo.bar/image.jpg",
                "from=2020&message=My+pic%21%0Ahttps%3A%2F%2Ffoo.bar%2Fimage.jpg&to=%2B250788383383&username=Username"
            ),
        ] as [(String?, String, String)])
    func africasTalking(from: String?, body: String, expected: String) throws {
        let m = OutboundMessage(to: "+250788383383", from: from, body: body)
        let r = try renderRequest(
            for: m, adapter: Self.africasTalking(), settings: ["username": "Username", "api_key": "AT-KEY"])
        #expect(Self.text(r) == expected)
        #expect(
            r.headers == [
                HTTPHeader("Accept", "application/json"),
                HTTPHeader("Content-Type", "application/x-www-form-urlencoded"), HTTPHeader("apiKey", "AT-KEY"),
            ])
    }
}
