//! The app's router: the address as a signal, links that move within the app, and the route
//! table matched by path. The app's routes are flat (about twenty paths, at most one `:id`
//! each), so this is a match over a list: leptos_router's nested matching, its route tuples
//! and their generic views were 36.8 KB of the resident wasm's brotli bytes.
//!
//! - [`Router`] keeps the address (path and query) in a signal, follows the browser's back and
//!   forward (`popstate`), and takes over clicks on links to this origin, so moving between
//!   screens loads nothing.
//! - [`Routes`] shows the screen whose pattern matches the path, built again only when the
//!   match changes (a new query keeps the screen, as a form being filled in must).
//! - [`A`] is a link marked `aria-current="page"` while its screen is shown; [`Redirect`],
//!   [`use_navigate`], [`use_location`], [`use_query_map`] and [`use_params_map`] are the rest.

use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Where the app is: the path, and the query with its `?` (empty when there is none), as
/// `window.location` has them.
#[derive(Clone, Debug, PartialEq, Default)]
struct Address {
    path: String,
    search: String,
}

impl Address {
    fn of_window() -> Self {
        let location = window().location();
        Self {
            path: location.pathname().unwrap_or_else(|_| "/".into()),
            search: location.search().unwrap_or_default(),
        }
    }
}

/// The router's state, one per app: the address and what follows from it.
#[derive(Clone, Copy)]
pub struct Location {
    address: RwSignal<Address>,
    pub pathname: Memo<String>,
    /// The query string with its leading `?`, or empty.
    pub search: Memo<String>,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct NavigateOptions {
    /// Replace the current history entry instead of adding one (back skips it).
    pub replace: bool,
}

/// A route's parameters (`:id`) or the query's, by name.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ParamsMap(Vec<(String, String)>);

impl ParamsMap {
    pub fn get(&self, key: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    /// `a=1&b=x%20y` (with or without the `?`), each name and value percent-decoded.
    fn of_query(search: &str) -> Self {
        let decode = |s: &str| decoded(&s.replace('+', " "));
        let pairs = search.trim_start_matches('?').split('&');
        Self(
            pairs
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap_or((p, ""));
                    (decode(k), decode(v))
                })
                .collect(),
        )
    }
}

/// `s` with its `%xx` escapes decoded, or as it is when they are not valid UTF-8.
fn decoded(s: &str) -> String {
    js_sys::decode_uri_component(s).map_or_else(|_| s.to_owned(), String::from)
}

/// Keeps the address for `children`: read from the window at start, moved by [`use_navigate`]
/// and by clicks on this origin's links, and by the browser's back and forward.
#[component]
pub fn Router(children: Children) -> impl IntoView {
    let address = RwSignal::new(Address::of_window());
    let location = Location {
        address,
        pathname: Memo::new(move |_| address.with(|a| a.path.clone())),
        search: Memo::new(move |_| address.with(|a| a.search.clone())),
    };
    provide_context(location);
    let popstate = window_event_listener(leptos::ev::popstate, move |_| {
        address.set(Address::of_window());
    });
    let clicks = window_event_listener(leptos::ev::click, move |ev| follow_link(location, &ev));
    on_cleanup(move || {
        popstate.remove();
        clicks.remove();
    });
    children()
}

/// A click on a link to this origin moves within the app instead of loading the page, unless
/// the person asked for something else (a modifier key, another button, a target, a
/// download) or the link only moves within this page (`#…`).
fn follow_link(location: Location, ev: &web_sys::MouseEvent) {
    if ev.default_prevented()
        || ev.button() != 0
        || ev.meta_key()
        || ev.alt_key()
        || ev.ctrl_key()
        || ev.shift_key()
    {
        return;
    }
    let Some(link) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| el.closest("a[href]").ok().flatten())
        .and_then(|el| el.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    else {
        return;
    };
    let external = link
        .get_attribute("rel")
        .is_some_and(|rel| rel.split_whitespace().any(|r| r == "external"));
    if !link.target().is_empty() || link.has_attribute("download") || external {
        return;
    }
    let Ok(url) = web_sys::Url::new(&link.href()) else {
        return;
    };
    let here = window().location();
    if here.origin().ok().as_deref() != Some(url.origin().as_str()) {
        return;
    }
    let to = Address {
        path: url.pathname(),
        search: url.search(),
    };
    if !url.hash().is_empty() && location.address.with_untracked(|a| *a == to) {
        return; // a jump within this screen: the browser's own
    }
    ev.prevent_default();
    let to = format!("{}{}{}", to.path, to.search, url.hash());
    go(location, &to, NavigateOptions::default());
}

fn go(location: Location, to: &str, options: NavigateOptions) {
    let window = window();
    let (Ok(history), Ok(here)) = (window.history(), window.location().href()) else {
        return;
    };
    let Ok(target) = web_sys::Url::new_with_base(to, &here) else {
        return;
    };
    // Moving to where the app already is (a tab tapped twice) adds no history entry, so
    // back still goes where the person expects.
    let same = target.href() == here;
    let moved = if options.replace || same {
        history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(to))
    } else {
        history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(to))
    };
    if moved.is_err() {
        let _ = window.location().set_href(to); // not of this origin: let the browser go
        return;
    }
    // The browser has normalised the address (a relative path, escapes): read it back.
    location.address.set(Address::of_window());
    // A new screen starts at its top, or at the element its #fragment names once drawn.
    let fragment = target.hash();
    if fragment.len() > 1 {
        request_animation_frame(move || {
            if let Some(el) = document().get_element_by_id(&decoded(&fragment[1..])) {
                el.scroll_into_view();
            }
        });
    } else {
        window.scroll_to_with_x_and_y(0.0, 0.0);
    }
}

pub fn use_location() -> Location {
    use_context().expect("inside <Router>")
}

/// Moves the app to a path of this origin (with its query, if any).
pub fn use_navigate() -> impl Fn(&str, NavigateOptions) + Clone + 'static {
    let location = use_location();
    move |to, options| go(location, to, options)
}

pub fn use_query_map() -> Memo<ParamsMap> {
    let location = use_location();
    Memo::new(move |_| location.search.with(|s| ParamsMap::of_query(s)))
}

/// The parameters of the route being shown (`/payees/:id` gives `id`).
pub fn use_params_map() -> Signal<ParamsMap> {
    let params = use_context::<RouteParams>()
        .map(|p| p.0)
        .unwrap_or_default();
    Signal::derive(move || params.clone())
}

#[derive(Clone)]
struct RouteParams(ParamsMap);

/// One screen and the paths it answers: `/payees/:id` matches `/payees/…` with one more
/// segment, named `id`.
pub struct Route {
    pub path: &'static str,
    pub view: fn() -> AnyView,
}

/// The parameters of `path` when it matches `pattern`. A trailing slash is no different.
fn matches(pattern: &str, path: &str) -> Option<ParamsMap> {
    let mut want = pattern.trim_end_matches('/').split('/');
    let mut have = path.trim_end_matches('/').split('/');
    let mut params = Vec::new();
    loop {
        match (want.next(), have.next()) {
            (None, None) => return Some(ParamsMap(params)),
            (Some(w), Some(h)) => match w.strip_prefix(':') {
                Some(name) if !h.is_empty() => params.push((name.to_owned(), decoded(h))),
                None if w == h => {}
                _ => return None,
            },
            _ => return None,
        }
    }
}

/// The first route whose pattern matches the path, else `fallback`. The screen is built again
/// when another route matches or its parameters change, not when only the query does.
#[component]
pub fn Routes(routes: Vec<Route>, fallback: fn() -> AnyView) -> impl IntoView {
    let location = use_location();
    let routes = StoredValue::new(routes);
    let chosen = Memo::new(move |_| {
        let path = location.pathname.read();
        routes.with_value(|routes| {
            routes
                .iter()
                .enumerate()
                .find_map(|(at, r)| Some((at, matches(r.path, &path)?)))
        })
    });
    move || match chosen.get() {
        Some((at, params)) => {
            provide_context(RouteParams(params));
            untrack(routes.with_value(|r| r[at].view))
        }
        None => untrack(fallback),
    }
}

/// A link within the app, `aria-current="page"` while its screen is shown: `exact` for a path
/// that only its own screen shows (`/`), else also below it (`/staff` for `/staff/…`).
#[component]
pub fn A(
    #[prop(into)] href: String,
    #[prop(optional)] exact: bool,
    children: Children,
) -> impl IntoView {
    let location = use_location();
    let path = href.split(['?', '#']).next().unwrap_or_default().to_owned();
    let current = move || {
        location.pathname.with(|here| {
            let below = !exact
                && path != "/"
                && here
                    .strip_prefix(path.as_str())
                    .is_some_and(|rest| rest.starts_with('/'));
            (*here == path || below).then_some("page")
        })
    };
    view! { <a href=href aria-current=current>{children()}</a> }
}

/// Goes to `path` in place of this screen (back does not return to it).
#[component]
pub fn Redirect(path: &'static str) -> impl IntoView {
    let navigate = use_navigate();
    // Right after this render (moving the address while the routes are being built would
    // build them again inside themselves), and not at all if this screen is gone by then.
    let timer = set_timeout_with_handle(
        move || navigate(path, NavigateOptions { replace: true }),
        Duration::ZERO,
    )
    .ok();
    on_cleanup(move || {
        if let Some(timer) = timer {
            timer.clear();
        }
    });
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn a_pattern_matches_its_paths_and_names_its_parameter() {
        assert_eq!(matches("/", "/"), Some(ParamsMap::default()));
        assert_eq!(matches("/", "/pay"), None);
        assert_eq!(matches("/pay", "/pay/"), Some(ParamsMap::default()));
        assert_eq!(
            matches("/payees/new", "/payees/new"),
            Some(ParamsMap::default())
        );
        let params = matches("/payees/:id", "/payees/4a3c").unwrap();
        assert_eq!(params.get("id").as_deref(), Some("4a3c"));
        assert_eq!(matches("/payees/:id", "/payees/"), None);
        assert_eq!(matches("/payees/:id", "/payees/a/b"), None);
        assert_eq!(matches("/staff", "/staff/enrolments"), None);
        let escaped = matches("/receipt/:id", "/receipt/a%20b").unwrap();
        assert_eq!(escaped.get("id").as_deref(), Some("a b"));
    }

    #[wasm_bindgen_test]
    fn a_query_reads_by_name_decoded() {
        let q = ParamsMap::of_query("?payee=3f2a&return=pay&note=a+b%2Fc&flag");
        assert_eq!(q.get("payee").as_deref(), Some("3f2a"));
        assert_eq!(q.get("return").as_deref(), Some("pay"));
        assert_eq!(q.get("note").as_deref(), Some("a b/c"));
        assert_eq!(q.get("flag").as_deref(), Some(""));
        assert_eq!(q.get("missing"), None);
        assert_eq!(ParamsMap::of_query(""), ParamsMap::default());
    }
}
