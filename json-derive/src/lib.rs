//! `#[derive(FromJson)]`: writes `yanglao_shared::json::FromJson` for a type from the same
//! `#[serde(...)]` attributes its `Deserialize` derive reads, so the wire form stays written
//! once. Why a second reader at all: serde's derive monomorphises a visitor per type and a
//! parser per visitor, 140 KB of the resident wasm before wasm-opt (twiggy); this reader parses
//! once into a tree (not generic) and each type only picks its fields out of it.
//!
//! The serde forms it knows are the ones the wire uses: structs with named fields, newtype
//! structs, `try_from`, unit-only enums as strings, internally tagged enums (`tag = "…"`) and
//! externally tagged ones (`{"Variant": {…}}`); the attributes `rename_all`, `rename`,
//! `alias`, `default` and `with` (whose module must then have a `from_json` function).
//! `#[json(with = "path")]` overrides a `with` whose module is not ours. Anything else is a
//! compile error, not a silent difference. Unknown fields are ignored: the phone reads what it
//! knows of a newer server's answer, while the server itself keeps refusing them (serde).

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::{format_ident, quote};
use syn::{parse_macro_input, Data, DeriveInput, Fields, LitStr};

#[proc_macro_derive(FromJson, attributes(json, serde))]
pub fn derive_from_json(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// What the serde (and json) attributes on one item say.
#[derive(Default)]
struct Attrs {
    rename_all: Option<String>,
    rename: Option<String>,
    aliases: Vec<String>,
    tag: Option<String>,
    try_from: Option<syn::Type>,
    default: bool,
    with: Option<syn::Path>,
}

fn attrs(list: &[syn::Attribute]) -> syn::Result<Attrs> {
    let mut out = Attrs::default();
    let mut json_with = None;
    for attr in list {
        let is_json = attr.path().is_ident("json");
        if !attr.path().is_ident("serde") && !is_json {
            continue;
        }
        attr.parse_nested_meta(|meta| {
            let name = meta
                .path
                .get_ident()
                .map(|i| i.to_string())
                .unwrap_or_default();
            let text = || -> syn::Result<String> { Ok(meta.value()?.parse::<LitStr>()?.value()) };
            match name.as_str() {
                "with" if is_json => json_with = Some(syn::parse_str(&text()?)?),
                "with" => out.with = Some(syn::parse_str(&text()?)?),
                "rename_all" => out.rename_all = Some(text()?),
                "rename" => out.rename = Some(text()?),
                "alias" => out.aliases.push(text()?),
                "tag" => out.tag = Some(text()?),
                "try_from" => out.try_from = Some(syn::parse_str(&text()?)?),
                "default" if !meta.input.peek(syn::Token![=]) => out.default = true,
                // Writing only, or the server's strictness: nothing to read.
                "into" | "skip_serializing_if" | "deny_unknown_fields" => {
                    if meta.input.peek(syn::Token![=]) {
                        text()?;
                    }
                }
                _ => return Err(meta.error("FromJson does not know this serde attribute")),
            }
            Ok(())
        })?;
    }
    if json_with.is_some() {
        out.with = json_with;
    }
    Ok(out)
}

/// A Rust name as the wire spells it under `rename_all`.
fn wire_name(ident: &str, rule: Option<&str>, span: proc_macro2::Span) -> syn::Result<String> {
    let snake = || {
        let mut s = String::new();
        for (i, c) in ident.chars().enumerate() {
            if c.is_uppercase() && i > 0 {
                s.push('_');
            }
            s.extend(c.to_lowercase());
        }
        s
    };
    Ok(match rule {
        None => ident.to_string(),
        Some("snake_case") => snake(),
        Some("lowercase") => ident.to_lowercase(),
        Some("SCREAMING_SNAKE_CASE") => snake().to_uppercase(),
        Some(other) => {
            return Err(syn::Error::new(
                span,
                format!("FromJson: rename_all = {other:?}"),
            ))
        }
    })
}

fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
    let name = &input.ident;
    // Each type parameter must itself be readable (as serde's derive bounds them).
    let mut generics = input.generics.clone();
    for param in generics.type_params_mut() {
        param
            .bounds
            .push(syn::parse_quote!(::yanglao_shared::json::FromJson));
    }
    let (impl_generics, type_generics, where_clause) = generics.split_for_impl();
    let container = attrs(&input.attrs)?;
    let body = if let Some(raw) = &container.try_from {
        quote! {
            let raw = <#raw as ::yanglao_shared::json::FromJson>::from_json(value)?;
            <Self as ::core::convert::TryFrom<#raw>>::try_from(raw)
                .map_err(::yanglao_shared::json::JsonError::custom)
        }
    } else {
        match &input.data {
            Data::Struct(s) => match &s.fields {
                Fields::Named(_) => {
                    let build = named_fields(quote!(Self), &s.fields, &container)?;
                    quote! { let mut object = value.into_object()?; Ok(#build) }
                }
                Fields::Unnamed(f) if f.unnamed.len() == 1 => {
                    quote! { Ok(Self(::yanglao_shared::json::FromJson::from_json(value)?)) }
                }
                _ => {
                    return Err(syn::Error::new_spanned(
                        name,
                        "FromJson: unsupported struct",
                    ))
                }
            },
            Data::Enum(e) => enum_body(e, &container)?,
            Data::Union(_) => return Err(syn::Error::new_spanned(name, "FromJson: no unions")),
        }
    };
    Ok(quote! {
        impl #impl_generics ::yanglao_shared::json::FromJson for #name #type_generics #where_clause {
            // Once in the wasm, called from each place that reads the type, not copied there.
            #[inline(never)]
            fn from_json(value: ::yanglao_shared::json::Json)
                -> ::core::result::Result<Self, ::yanglao_shared::json::JsonError> {
                #body
            }
        }
    })
}

/// `Path { field: object.field("field")?, … }`, read from a binding `object`.
fn named_fields(path: Tokens, fields: &Fields, container: &Attrs) -> syn::Result<Tokens> {
    let mut out = Vec::new();
    for field in fields {
        let ident = field.ident.as_ref().expect("named");
        let a = attrs(&field.attrs)?;
        let key = match a.rename {
            Some(r) => r,
            None => ident.to_string().trim_start_matches("r#").to_string(),
        };
        let default = a.default || container.default;
        let read = match (&a.with, default) {
            (Some(with), false) => quote!(object.field_with(#key, #with::from_json)?),
            (Some(with), true) => quote!(object.field_with_or_default(#key, #with::from_json)?),
            (None, false) => quote!(object.field(#key)?),
            (None, true) => quote!(object.field_or_default(#key)?),
        };
        out.push(quote!(#ident: #read));
    }
    Ok(quote!(#path { #(#out),* }))
}

fn enum_body(e: &syn::DataEnum, container: &Attrs) -> syn::Result<Tokens> {
    let rule = container.rename_all.as_deref();
    // Each variant: the names it is read under, and how its content is built.
    let mut units = Vec::new();
    let mut others = Vec::new();
    for v in &e.variants {
        let a = attrs(&v.attrs)?;
        let mut names = vec![match a.rename {
            Some(r) => r,
            None => wire_name(&v.ident.to_string(), rule, v.ident.span())?,
        }];
        names.extend(a.aliases);
        let ident = &v.ident;
        match &v.fields {
            Fields::Unit => units.push((names, quote!(Self::#ident))),
            Fields::Named(_) => {
                let build = named_fields(quote!(Self::#ident), &v.fields, &Attrs::default())?;
                others.push((names, build, true));
            }
            Fields::Unnamed(f) if f.unnamed.len() == 1 => {
                let build =
                    quote!(Self::#ident(::yanglao_shared::json::FromJson::from_json(inner)?));
                others.push((names, build, false));
            }
            _ => return Err(syn::Error::new_spanned(v, "FromJson: unsupported variant")),
        }
    }
    let unknown = quote!(other => Err(::yanglao_shared::json::JsonError::unknown_variant(other)));
    if let Some(tag) = &container.tag {
        // {"tag": "name", …the variant's fields beside it}
        let mut arms = Vec::new();
        for (names, build) in &units {
            arms.push(quote!(#(#names)|* => Ok(#build)));
        }
        for (names, build, named) in &others {
            if !named {
                return Err(syn::Error::new_spanned(
                    &e.variants,
                    "FromJson: tagged newtype",
                ));
            }
            arms.push(quote!(#(#names)|* => Ok(#build)));
        }
        return Ok(quote! {
            let mut object = value.into_object()?;
            let tag: ::std::string::String = object.field(#tag)?;
            match tag.as_str() { #(#arms,)* #unknown }
        });
    }
    // "name" for a unit variant, {"name": content} for the others.
    let unit_arms = units
        .iter()
        .map(|(names, build)| quote!(#(#names)|* => Ok(#build)));
    let other_arms = others.iter().map(|(names, build, named)| {
        let bind = if *named {
            quote!(let mut object = inner.into_object()?;)
        } else {
            quote!()
        };
        quote!(#(#names)|* => { #bind Ok(#build) })
    });
    let inner = format_ident!("inner");
    Ok(quote! {
        match value {
            ::yanglao_shared::json::Json::Str(name) => match name.as_str() { #(#unit_arms,)* #unknown },
            value => {
                let (name, #inner) = value.into_single_entry()?;
                match name.as_str() { #(#other_arms,)* #unknown }
            }
        }
    })
}
